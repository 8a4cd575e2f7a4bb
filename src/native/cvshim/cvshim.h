// A thin C ABI over the few OpenCV calls LineWatch needs, so .NET can P/Invoke them without a C++ binding.
// Every function returns a status code; on failure lwcv_last_error() holds a message for the calling thread.
#pragma once
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LWCV_API __attribute__((visibility("default")))

enum lwcv_status {
  LWCV_OK = 0,
  LWCV_END_OF_STREAM = 1,   // a file ended, or a stream delivered nothing (not an error by itself)
  LWCV_E_ARGUMENT = -1,     // a null pointer, an empty source, a size out of range
  LWCV_E_OPEN = -2,         // the source could not be opened (missing file, unreachable URL, no device)
  LWCV_E_BUFFER = -3,       // the caller's buffer is too small; the required size is reported
  LWCV_E_OPENCV = -4,       // OpenCV raised an exception; the message says which call
};

typedef struct lwcv_capture lwcv_capture;

typedef struct lwcv_capture_info {
  int32_t width;
  int32_t height;
  double fps;             // as reported by the container or stream; 0 when unknown
  double frame_count;     // files only; 0 or negative when unknown (streams)
  char backend[32];       // the videoio backend that opened the source, e.g. "FFMPEG", "V4L2"
} lwcv_capture_info;

typedef struct lwcv_frame {
  const uint8_t* data;    // BGR, 8 bits per channel; valid until the next read or release of the capture
  int32_t width;
  int32_t height;
  int32_t stride;         // bytes per row
  double position_ms;     // the frame's timestamp within the source, when the backend knows it
} lwcv_frame;

LWCV_API const char* lwcv_last_error(void);
LWCV_API const char* lwcv_version(void);
// Comma-separated names of the videoio backends this OpenCV build can use for files and streams.
LWCV_API int lwcv_video_backends(char* buffer, int32_t capacity);

// source: a file path, a URL (rtsp://, http://, ...), or a decimal device index ("0" = /dev/video0).
// Timeouts apply to backends that honour them (FFmpeg, GStreamer); 0 keeps the backend's default.
LWCV_API int lwcv_capture_open(const char* source, int32_t open_timeout_ms, int32_t read_timeout_ms,
                               lwcv_capture** capture);
LWCV_API int lwcv_capture_info_get(lwcv_capture* capture, lwcv_capture_info* info);
// Grabs and decodes the next frame into the capture's own buffer (reused from frame to frame).
LWCV_API int lwcv_capture_read(lwcv_capture* capture, lwcv_frame* frame);
LWCV_API void lwcv_capture_release(lwcv_capture* capture);

// Resizes a BGR frame to out_width x out_height, converts it to RGB and writes (pixel/255 - mean[c]) / std[c]
// as planar CHW float32 into dst (3 * out_width * out_height floats). No allocation after the first call on
// a thread with a given output size.
LWCV_API int lwcv_preprocess(const uint8_t* bgr, int32_t width, int32_t height, int32_t stride,
                             int32_t out_width, int32_t out_height, const float* mean, const float* std,
                             float* dst);

// Resizes a BGR image into dst (dst_width x dst_height x 3, rows packed): thumbnails for snapshots.
LWCV_API int lwcv_resize_bgr(const uint8_t* bgr, int32_t width, int32_t height, int32_t stride, uint8_t* dst,
                             int32_t dst_width, int32_t dst_height);

// JPEG-encodes a BGR image into dst. On LWCV_E_BUFFER, *written holds the size that is needed.
LWCV_API int lwcv_jpeg_encode(const uint8_t* bgr, int32_t width, int32_t height, int32_t stride, int32_t quality,
                              uint8_t* dst, int32_t capacity, int32_t* written);

#ifdef __cplusplus
}
#endif
