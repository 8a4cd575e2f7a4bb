"""A real RTSP server for capture tests: GStreamer's gst-rtsp-server (Debian gir1.2-gst-rtsp-server-1.0),
serving a live moving test pattern as H.264 at rtsp://127.0.0.1:PORT/cam, or an H.264 .mp4 file in real time
(the soak suite serves footage with faults this way). Prints 'ready' once listening.

    /usr/bin/python3 rtsp_server.py PORT [FILE.mp4]
"""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

Gst.init(None)
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(sys.argv[1])
factory = GstRtspServer.RTSPMediaFactory()
if len(sys.argv) > 2:
    # Already H.264: only repackaged, so serving costs next to no CPU; the server paces it by its timestamps.
    factory.set_launch(
        f"( filesrc location={sys.argv[2]} ! qtdemux ! h264parse ! rtph264pay config-interval=-1 name=pay0 pt=96 )")
else:
    # is-live: frames come at the pattern's rate, like a camera; short GOP so a reconnecting client decodes at once.
    factory.set_launch(
        "( videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=25/1 "
        "! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=10 ! rtph264pay name=pay0 pt=96 )")
factory.set_shared(True)
server.get_mount_points().add_factory("/cam", factory)
server.attach(None)
print("ready", flush=True)
GLib.MainLoop().run()
