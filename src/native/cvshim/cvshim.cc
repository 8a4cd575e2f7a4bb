#include "cvshim.h"

#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <opencv2/videoio/registry.hpp>

#include <sys/stat.h>

#include <cstdlib>

#include <cstring>
#include <string>
#include <vector>

struct lwcv_capture {
  cv::VideoCapture capture;
  cv::Mat frame;  // decoded into in place by OpenCV, so steady-state reads do not allocate
  std::string source;
};

namespace {

thread_local std::string last_error;

int fail(int status, const std::string& message) {
  last_error = message;
  return status;
}

bool is_device_index(const char* source) {
  if (!*source) return false;
  for (const char* p = source; *p; ++p) {
    if (*p < '0' || *p > '9') return false;
  }
  return true;
}

bool looks_like_url(const char* source) { return std::strstr(source, "://") != nullptr; }

void copy_truncated(char* dst, size_t capacity, const std::string& src) {
  size_t n = src.size() < capacity - 1 ? src.size() : capacity - 1;
  std::memcpy(dst, src.data(), n);
  dst[n] = '\0';
}

// Process-wide defaults, set when the library loads (before any capture exists):
// - OpenCV and FFmpeg log to stderr on their own; the agent reports every failure through return codes and
//   its own log, so both are silenced unless the user asks for them (OPENCV_LOG_LEVEL, OPENCV_FFMPEG_LOGLEVEL).
// - RTSP over TCP: UDP loses packets on busy factory networks and smears frames; users can override it.
struct CaptureDefaults {
  CaptureDefaults() {
    setenv("OPENCV_FFMPEG_LOGLEVEL", "-8", 0);  // AV_LOG_QUIET
    setenv("OPENCV_FFMPEG_CAPTURE_OPTIONS", "rtsp_transport;tcp", 0);
    if (!getenv("OPENCV_LOG_LEVEL")) cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
  }
} capture_defaults;

}  // namespace

extern "C" {

const char* lwcv_last_error(void) { return last_error.c_str(); }

const char* lwcv_version(void) { return CV_VERSION; }

int lwcv_video_backends(char* buffer, int32_t capacity) {
  if (!buffer || capacity <= 0) return fail(LWCV_E_ARGUMENT, "lwcv_video_backends: no buffer");
  std::string names;
  for (auto api : cv::videoio_registry::getStreamBackends()) {
    if (!names.empty()) names += ",";
    names += cv::videoio_registry::getBackendName(api);
  }
  for (auto api : cv::videoio_registry::getCameraBackends()) {
    std::string name = cv::videoio_registry::getBackendName(api);
    if (names.find(name) == std::string::npos) names += "," + name;
  }
  if (static_cast<int32_t>(names.size()) >= capacity) {
    return fail(LWCV_E_BUFFER, "lwcv_video_backends: buffer too small");
  }
  copy_truncated(buffer, static_cast<size_t>(capacity), names);
  return LWCV_OK;
}

int lwcv_capture_open(const char* source, int32_t open_timeout_ms, int32_t read_timeout_ms,
                      lwcv_capture** capture) {
  if (!capture) return fail(LWCV_E_ARGUMENT, "lwcv_capture_open: no output handle");
  *capture = nullptr;
  if (!source || !*source) return fail(LWCV_E_ARGUMENT, "capture source is empty");

  // A missing file otherwise reaches FFmpeg and comes back as an anonymous "could not open".
  if (!is_device_index(source) && !looks_like_url(source)) {
    struct stat st;
    if (stat(source, &st) != 0) return fail(LWCV_E_OPEN, std::string("video file not found: ") + source);
    if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode)) {
      return fail(LWCV_E_OPEN, std::string("not a video file or device: ") + source);
    }
  }

  try {
    auto handle = new lwcv_capture();
    handle->source = source;
    std::vector<int> params;
    if (open_timeout_ms > 0) params.insert(params.end(), {cv::CAP_PROP_OPEN_TIMEOUT_MSEC, open_timeout_ms});
    if (read_timeout_ms > 0) params.insert(params.end(), {cv::CAP_PROP_READ_TIMEOUT_MSEC, read_timeout_ms});
    // URLs go to FFmpeg directly: CAP_ANY would also try the image-sequence reader on them.
    const int api = looks_like_url(source) ? cv::CAP_FFMPEG : cv::CAP_ANY;
    bool opened = is_device_index(source)
                      ? handle->capture.open(std::atoi(source), cv::CAP_ANY, params)
                      : handle->capture.open(std::string(source), api, params);
    if (!opened || !handle->capture.isOpened()) {
      delete handle;
      return fail(LWCV_E_OPEN, std::string("could not open video source: ") + source);
    }
    *capture = handle;
    return LWCV_OK;
  } catch (const cv::Exception& e) {
    return fail(LWCV_E_OPENCV, std::string("OpenCV failed to open ") + source + ": " + e.what());
  }
}

int lwcv_capture_info_get(lwcv_capture* capture, lwcv_capture_info* info) {
  if (!capture || !info) return fail(LWCV_E_ARGUMENT, "lwcv_capture_info_get: null argument");
  try {
    info->width = static_cast<int32_t>(capture->capture.get(cv::CAP_PROP_FRAME_WIDTH));
    info->height = static_cast<int32_t>(capture->capture.get(cv::CAP_PROP_FRAME_HEIGHT));
    info->fps = capture->capture.get(cv::CAP_PROP_FPS);
    info->frame_count = capture->capture.get(cv::CAP_PROP_FRAME_COUNT);
    copy_truncated(info->backend, sizeof(info->backend), capture->capture.getBackendName());
    return LWCV_OK;
  } catch (const cv::Exception& e) {
    return fail(LWCV_E_OPENCV, std::string("reading properties of ") + capture->source + ": " + e.what());
  }
}

int lwcv_capture_read(lwcv_capture* capture, lwcv_frame* frame) {
  if (!capture || !frame) return fail(LWCV_E_ARGUMENT, "lwcv_capture_read: null argument");
  std::memset(frame, 0, sizeof(*frame));
  try {
    if (!capture->capture.read(capture->frame) || capture->frame.empty()) return LWCV_END_OF_STREAM;
    if (capture->frame.type() != CV_8UC3) {
      // Grey or 4-channel sources are rare; convert in place so callers always see BGR.
      int code = capture->frame.channels() == 1 ? cv::COLOR_GRAY2BGR : cv::COLOR_BGRA2BGR;
      cv::cvtColor(capture->frame, capture->frame, code);
    }
    frame->data = capture->frame.data;
    frame->width = capture->frame.cols;
    frame->height = capture->frame.rows;
    frame->stride = static_cast<int32_t>(capture->frame.step[0]);
    frame->position_ms = capture->capture.get(cv::CAP_PROP_POS_MSEC);
    return LWCV_OK;
  } catch (const cv::Exception& e) {
    return fail(LWCV_E_OPENCV, std::string("reading a frame from ") + capture->source + ": " + e.what());
  }
}

void lwcv_capture_release(lwcv_capture* capture) {
  if (!capture) return;
  try {
    capture->capture.release();
  } catch (const cv::Exception&) {
    // Releasing a broken stream can throw; the handle is freed regardless.
  }
  delete capture;
}

int lwcv_preprocess(const uint8_t* bgr, int32_t width, int32_t height, int32_t stride, int32_t out_width,
                    int32_t out_height, const float* mean, const float* std, float* dst) {
  if (!bgr || !mean || !std || !dst) return fail(LWCV_E_ARGUMENT, "lwcv_preprocess: null argument");
  if (width <= 0 || height <= 0 || out_width <= 0 || out_height <= 0 || stride < width * 3) {
    return fail(LWCV_E_ARGUMENT, "lwcv_preprocess: invalid size");
  }
  for (int c = 0; c < 3; ++c) {
    if (!(std[c] > 0.0f)) return fail(LWCV_E_ARGUMENT, "lwcv_preprocess: std must be positive");
  }
  try {
    // One scratch image per thread: each camera's preprocessing runs on its own thread, and cv::resize
    // reuses the buffer when the size does not change.
    thread_local cv::Mat resized;
    const cv::Mat src(height, width, CV_8UC3, const_cast<uint8_t*>(bgr), static_cast<size_t>(stride));
    cv::resize(src, resized, cv::Size(out_width, out_height), 0, 0, cv::INTER_AREA);

    const size_t plane = static_cast<size_t>(out_width) * static_cast<size_t>(out_height);
    float scale[3], offset[3];
    for (int c = 0; c < 3; ++c) {  // (v/255 - mean) / std  ==  v * scale + offset
      scale[c] = 1.0f / (255.0f * std[c]);
      offset[c] = -mean[c] / std[c];
    }
    float* r = dst;
    float* g = dst + plane;
    float* b = dst + 2 * plane;
    for (int y = 0; y < out_height; ++y) {
      const uint8_t* row = resized.ptr<uint8_t>(y);
      const size_t base = static_cast<size_t>(y) * static_cast<size_t>(out_width);
      for (int x = 0; x < out_width; ++x) {
        b[base + x] = row[3 * x + 0] * scale[2] + offset[2];
        g[base + x] = row[3 * x + 1] * scale[1] + offset[1];
        r[base + x] = row[3 * x + 2] * scale[0] + offset[0];
      }
    }
    return LWCV_OK;
  } catch (const cv::Exception& e) {
    return fail(LWCV_E_OPENCV, std::string("preprocess: ") + e.what());
  }
}

int lwcv_resize_bgr(const uint8_t* bgr, int32_t width, int32_t height, int32_t stride, uint8_t* dst, int32_t dst_width,
                    int32_t dst_height) {
  if (!bgr || !dst) return fail(LWCV_E_ARGUMENT, "lwcv_resize_bgr: null argument");
  if (width <= 0 || height <= 0 || dst_width <= 0 || dst_height <= 0 || stride < width * 3) {
    return fail(LWCV_E_ARGUMENT, "lwcv_resize_bgr: invalid size");
  }
  try {
    const cv::Mat src(height, width, CV_8UC3, const_cast<uint8_t*>(bgr), static_cast<size_t>(stride));
    cv::Mat out(dst_height, dst_width, CV_8UC3, dst);  // writes straight into the caller's buffer
    cv::resize(src, out, out.size(), 0, 0, cv::INTER_AREA);
    return LWCV_OK;
  } catch (const cv::Exception& e) {
    return fail(LWCV_E_OPENCV, std::string("resize: ") + e.what());
  }
}

int lwcv_jpeg_encode(const uint8_t* bgr, int32_t width, int32_t height, int32_t stride, int32_t quality,
                     uint8_t* dst, int32_t capacity, int32_t* written) {
  if (!bgr || !written) return fail(LWCV_E_ARGUMENT, "lwcv_jpeg_encode: null argument");
  *written = 0;
  if (width <= 0 || height <= 0 || stride < width * 3) return fail(LWCV_E_ARGUMENT, "lwcv_jpeg_encode: invalid size");
  if (quality < 1 || quality > 100) return fail(LWCV_E_ARGUMENT, "lwcv_jpeg_encode: quality must be 1..100");
  try {
    thread_local std::vector<uint8_t> encoded;
    const cv::Mat src(height, width, CV_8UC3, const_cast<uint8_t*>(bgr), static_cast<size_t>(stride));
    if (!cv::imencode(".jpg", src, encoded, {cv::IMWRITE_JPEG_QUALITY, quality})) {
      return fail(LWCV_E_OPENCV, "lwcv_jpeg_encode: encoder refused the image");
    }
    *written = static_cast<int32_t>(encoded.size());
    if (!dst || capacity < *written) return fail(LWCV_E_BUFFER, "lwcv_jpeg_encode: buffer too small");
    std::memcpy(dst, encoded.data(), encoded.size());
    return LWCV_OK;
  } catch (const cv::Exception& e) {
    return fail(LWCV_E_OPENCV, std::string("jpeg encode: ") + e.what());
  }
}

}  // extern "C"
