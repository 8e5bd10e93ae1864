#pragma once
// Results as the views see them: one opened file or one live run. The engine opens every format
// (attnsweep/engine/open_results.h); this only adds the name titles show.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "attnsweep/engine/store.h"

namespace attnsweep::gui {

struct ResultSet : ResultFile {
  std::string name;  // what titles show: the file name, or the live run's spec name
  std::string path;
};

// Throws std::runtime_error("<path>: <what is wrong>") (the engine's open_results).
ResultSet load_result_set(const std::string& path);

// Dense tensor-core peak of the card in TFLOP/s for a dtype, when the card is one we measured
// (H100: the measured matmul ceilings, bf16 796, fp16 751, tf32 360, fp32 51); nullopt otherwise.
std::optional<double> peak_tflops(const nlohmann::json& header, DType dtype);

}  // namespace attnsweep::gui
