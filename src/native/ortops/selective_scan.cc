#include "selective_scan.h"

#include <sstream>

namespace linewatch {

namespace {

std::string ShapeText(const std::vector<int64_t>& shape) {
  std::ostringstream s;
  s << "(";
  for (size_t i = 0; i < shape.size(); ++i) s << (i ? "," : "") << shape[i];
  s << ")";
  return s.str();
}

bool Is(const std::vector<int64_t>& shape, std::initializer_list<int64_t> expected) {
  return shape == std::vector<int64_t>(expected);
}

int64_t ReadFlag(const OrtApi* api, const OrtKernelInfo* info, const char* name, int64_t fallback) {
  int64_t value = fallback;
  OrtStatus* status = api->KernelInfoGetAttribute_int64(info, name, &value);
  if (status != nullptr) {  // absent attribute: keep the documented default
    api->ReleaseStatus(status);
    return fallback;
  }
  return value;
}

}  // namespace

ScanAttributes ReadScanAttributes(const OrtApi* api, const OrtKernelInfo* info) {
  ScanAttributes attrs;
  attrs.reverse = ReadFlag(api, info, "reverse", 0) != 0;
  attrs.mask_diagonal = ReadFlag(api, info, "mask_diagonal", 0) != 0;
  attrs.init_from_input = ReadFlag(api, info, "init_from_input", 0) != 0;
  attrs.delta_softplus = ReadFlag(api, info, "delta_softplus", 1) != 0;
  return attrs;
}

std::string ValidateScanShapes(const std::vector<int64_t>& u, const std::vector<int64_t>& delta,
                               const std::vector<int64_t>& a, const std::vector<int64_t>& b,
                               const std::vector<int64_t>& c, const std::vector<int64_t>& d_skip,
                               const std::vector<int64_t>& z, const std::vector<int64_t>& delta_bias,
                               ScanShape& shape) {
  if (u.size() != 3) return "SelectiveScan: u must be (B,D,L), got " + ShapeText(u);
  if (a.size() != 2) return "SelectiveScan: A must be (D,N), got " + ShapeText(a);
  shape = {u[0], u[1], u[2], a[1]};
  if (!Is(delta, {shape.batch, shape.channels, shape.length})) return "SelectiveScan: delta " + ShapeText(delta) + " does not match u " + ShapeText(u);
  if (!Is(z, {shape.batch, shape.channels, shape.length})) return "SelectiveScan: z " + ShapeText(z) + " does not match u " + ShapeText(u);
  if (a[0] != shape.channels) return "SelectiveScan: A " + ShapeText(a) + " does not match D=" + std::to_string(shape.channels);
  if (!Is(b, {shape.batch, shape.state, shape.length})) return "SelectiveScan: B " + ShapeText(b) + " must be (B,N,L)";
  if (!Is(c, {shape.batch, shape.state, shape.length})) return "SelectiveScan: C " + ShapeText(c) + " must be (B,N,L)";
  if (!Is(d_skip, {shape.channels})) return "SelectiveScan: D " + ShapeText(d_skip) + " must be (D)";
  if (!Is(delta_bias, {shape.channels})) return "SelectiveScan: delta_bias " + ShapeText(delta_bias) + " must be (D)";
  if (shape.state < 1 || shape.state > kMaxScanState) return "SelectiveScan: state size N=" + std::to_string(shape.state) + " outside 1.." + std::to_string(kMaxScanState);
  return {};
}

}  // namespace linewatch
