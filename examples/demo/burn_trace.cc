#include "burn_trace.h"

#include <fstream>
#include <iostream>
#include <sstream>

namespace blockhealth::demo {
namespace {

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream in(line);
  std::string cell;
  while (std::getline(in, cell, ',')) {
    const auto first = cell.find_first_not_of(' ');
    out.push_back(first == std::string::npos ? "" : cell.substr(first));
  }
  return out;
}

double leading_number(const std::string& s) {
  try {
    return std::stod(s);  // "345 MHz" -> 345, "86.43 W" -> 86.43
  } catch (const std::exception&) {
    return 0;
  }
}

}  // namespace

std::optional<std::vector<TraceRow>> load_burn_trace(const std::filesystem::path& csv) {
  std::ifstream in(csv);
  if (!in) {
    std::cerr << "demo: cannot read " << csv << "\n";
    return std::nullopt;
  }
  std::vector<TraceRow> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    const auto cells = split_csv(line);
    if (cells.size() < 7) continue;
    rows.push_back({cells[1], leading_number(cells[2]), leading_number(cells[3]),
                    leading_number(cells[4]), leading_number(cells[5]), leading_number(cells[6])});
  }
  if (rows.empty()) {
    std::cerr << "demo: no rows in " << csv << "\n";
    return std::nullopt;
  }
  return rows;
}

std::string dcgm_exposition(const TraceRow& row, const std::string& pod) {
  const std::string labels =
      "{gpu=\"0\",UUID=\"" + row.uuid +
      "\",device=\"nvidia0\",modelName=\"NVIDIA H100 80GB HBM3\","
      "Hostname=\"demo-node\",container=\"model\",namespace=\"aios\",pod=\"" +
      pod + "\"}";
  std::ostringstream out;
  out << "# HELP DCGM_FI_DEV_GPU_TEMP GPU temperature (in C).\n"
      << "# TYPE DCGM_FI_DEV_GPU_TEMP gauge\n"
      << "DCGM_FI_DEV_GPU_TEMP" << labels << " " << row.gpu_celsius << "\n"
      << "# HELP DCGM_FI_DEV_MEMORY_TEMP Memory temperature (in C).\n"
      << "# TYPE DCGM_FI_DEV_MEMORY_TEMP gauge\n"
      << "DCGM_FI_DEV_MEMORY_TEMP" << labels << " " << row.memory_celsius << "\n"
      << "# HELP DCGM_FI_DEV_SM_CLOCK SM clock frequency (in MHz).\n"
      << "# TYPE DCGM_FI_DEV_SM_CLOCK gauge\n"
      << "DCGM_FI_DEV_SM_CLOCK" << labels << " " << row.sm_clock_mhz << "\n"
      << "# HELP DCGM_FI_DEV_POWER_USAGE Power draw (in W).\n"
      << "# TYPE DCGM_FI_DEV_POWER_USAGE gauge\n"
      << "DCGM_FI_DEV_POWER_USAGE" << labels << " " << row.power_watts << "\n"
      << "# HELP gpu_temperature_tlimit_celsius Margin below the max operating temperature.\n"
      << "# TYPE gpu_temperature_tlimit_celsius gauge\n"
      << "gpu_temperature_tlimit_celsius" << labels << " " << row.tlimit_celsius << "\n";
  return out.str();
}

}  // namespace blockhealth::demo
