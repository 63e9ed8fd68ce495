#include "plugins/metric_threshold/selector.h"

#include <cstring>

namespace blockhealth::policies::metric_threshold {
namespace {

bool name_char(char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
         (!first && c >= '0' && c <= '9');
}

class SelectorParser {
 public:
  explicit SelectorParser(std::string_view text) : text_(text) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw bh::Error("select '" + std::string(text_) + "': " + what + " at character " +
                    std::to_string(pos_ + 1));
  }
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  bool take(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  std::string name(bool metric) {
    const std::size_t start = pos_;
    while (!at_end() && name_char(text_[pos_], pos_ == start)) {
      if (!metric && text_[pos_] == ':') break;  // label names have no ':'
      ++pos_;
    }
    return std::string(text_.substr(start, pos_ - start));
  }
  std::string quoted() {
    const char quote = peek();
    if (quote != '"' && quote != '\'') fail("expected a quoted value");
    ++pos_;
    std::string out;
    while (!at_end() && text_[pos_] != quote) {
      char c = text_[pos_++];
      if (c == '\\' && !at_end()) {
        c = text_[pos_++];
        if (c == 'n') c = '\n';
        if (c == 't') c = '\t';
      }
      out += c;
    }
    if (!take(quote)) fail("unterminated quoted value");
    return out;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

Selector::Selector(std::string_view text) : text_(text) {
  SelectorParser p(text);
  p.skip_space();
  name_ = p.name(true);
  p.skip_space();
  if (p.take('{')) {
    p.skip_space();
    while (!p.take('}')) {
      if (p.at_end()) p.fail("expected '}'");
      Matcher m;
      m.label = p.name(false);
      if (m.label.empty()) p.fail("expected a label name");
      p.skip_space();
      if (p.take('=')) {
        m.op = p.take('~') ? Op::kMatch : Op::kEqual;
      } else if (p.take('!')) {
        if (p.take('=')) {
          m.op = Op::kNotEqual;
        } else if (p.take('~')) {
          m.op = Op::kNotMatch;
        } else {
          p.fail("expected '!=' or '!~'");
        }
      } else {
        p.fail("expected one of = != =~ !~");
      }
      p.skip_space();
      m.value = p.quoted();
      if (m.op == Op::kMatch || m.op == Op::kNotMatch) {
        re2::RE2::Options options;
        options.set_log_errors(false);
        m.re = std::make_shared<const re2::RE2>(m.value, options);
        if (!m.re->ok()) p.fail("regular expression '" + m.value + "': " + m.re->error());
      }
      if (m.label == "__name__" && m.op == Op::kEqual && name_.empty()) {
        name_ = m.value;
      } else {
        matchers_.push_back(std::move(m));
      }
      p.skip_space();
      if (!p.take(',')) {
        if (!p.take('}')) p.fail("expected ',' or '}'");
        break;
      }
      p.skip_space();
    }
  }
  p.skip_space();
  if (!p.at_end()) p.fail("unexpected text");
  if (name_.empty() && matchers_.empty()) {
    throw bh::Error("select '" + text_ + "': name a metric or give a label matcher");
  }
}

bool Selector::matches(const bh_sample& sample) const {
  if (!name_.empty() && name_ != sample.name) return false;
  for (const Matcher& m : matchers_) {
    std::string_view value;
    if (m.label == "__name__") {
      value = sample.name;
    } else {
      for (std::size_t i = 0; i < sample.label_count; ++i) {
        if (m.label == sample.labels[i].name) {
          value = sample.labels[i].value;
          break;
        }
      }
    }
    bool ok = false;
    switch (m.op) {
      case Op::kEqual:
        ok = value == m.value;
        break;
      case Op::kNotEqual:
        ok = value != m.value;
        break;
      case Op::kMatch:
        ok = re2::RE2::FullMatch(re2::StringPiece(value.data(), value.size()), *m.re);
        break;
      case Op::kNotMatch:
        ok = !re2::RE2::FullMatch(re2::StringPiece(value.data(), value.size()), *m.re);
        break;
    }
    if (!ok) return false;
  }
  return true;
}

}  // namespace blockhealth::policies::metric_threshold
