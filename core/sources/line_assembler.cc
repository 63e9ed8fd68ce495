#include "core/sources/line_assembler.h"

#include "core/util/text.h"

namespace blockhealth {

void LineAssembler::emit(std::string_view line, std::vector<std::string>& out) const {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  out.push_back(sanitize_utf8(line, max_line_bytes_));
}

void LineAssembler::feed(std::string_view bytes, std::int64_t now_ms,
                         std::vector<std::string>& out) {
  while (!bytes.empty()) {
    const std::size_t newline = bytes.find('\n');
    const std::string_view piece = bytes.substr(0, newline);
    if (dropping_) {
      if (newline == std::string_view::npos) return;  // still inside the long line
      dropping_ = false;
      bytes.remove_prefix(newline + 1);
      continue;
    }
    if (partial_.empty() && !piece.empty()) partial_since_ms_ = now_ms;
    if (newline == std::string_view::npos) {
      partial_.append(piece);
      if (partial_.size() > max_line_bytes_) {
        // One byte past the limit so that sanitize_utf8 cuts and marks it.
        emit(std::string_view(partial_).substr(0, max_line_bytes_ + 1), out);
        partial_.clear();
        dropping_ = true;
      }
      return;
    }
    if (partial_.empty()) {
      emit(piece.size() > max_line_bytes_ ? piece.substr(0, max_line_bytes_ + 1) : piece, out);
    } else {
      partial_.append(piece);
      emit(std::string_view(partial_).substr(0, max_line_bytes_ + 1), out);
      partial_.clear();
    }
    bytes.remove_prefix(newline + 1);
  }
}

bool LineAssembler::flush_if_older(std::int64_t now_ms, std::int64_t timeout_ms,
                                   std::vector<std::string>& out) {
  if (partial_.empty() || now_ms - partial_since_ms_ < timeout_ms) return false;
  flush(out);
  return true;
}

void LineAssembler::flush(std::vector<std::string>& out) {
  if (partial_.empty()) return;
  emit(partial_, out);
  partial_.clear();
}

}  // namespace blockhealth
