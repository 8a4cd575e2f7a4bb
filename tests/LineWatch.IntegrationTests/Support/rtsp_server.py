"""A real RTSP server for capture tests: GStreamer's gst-rtsp-server (Debian gir1.2-gst-rtsp-server-1.0),
serving a live moving test pattern as H.264 at rtsp://127.0.0.1:PORT/cam, or an H.264 .mp4 file in real time
(the soak suite serves footage with faults this way). Prints 'ready' once listening. With --udp-only the server
refuses RTP over the RTSP connection (TCP), as some cameras do. With RTSP_USER=NAME:PASSWORD in its environment
(not its arguments, which every local user can read) it serves only a client that signs in as NAME with PASSWORD
(RTSP Basic authentication) and answers 401 to any other.

    /usr/bin/python3 rtsp_server.py PORT [FILE.mp4] [--udp-only]
"""
import os
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

udp_only = "--udp-only" in sys.argv
user = os.environ.get("RTSP_USER")
args = [a for a in sys.argv[1:] if a != "--udp-only"]

Gst.init(None)
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(args[0])
factory = GstRtspServer.RTSPMediaFactory()
if len(args) > 1:
    # Already H.264: only repackaged, so serving costs next to no CPU; the server paces it by its timestamps.
    factory.set_launch(
        f"( filesrc location={args[1]} ! qtdemux ! h264parse ! rtph264pay config-interval=-1 name=pay0 pt=96 )")
else:
    # is-live: frames come at the pattern's rate, like a camera; short GOP so a reconnecting client decodes at once.
    factory.set_launch(
        "( videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=25/1 "
        "! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=10 ! rtph264pay name=pay0 pt=96 )")
factory.set_shared(True)
if udp_only:
    factory.set_protocols(GstRtsp.RTSPLowerTrans.UDP | GstRtsp.RTSPLowerTrans.UDP_MCAST)
if user is not None:
    name, password = user.split(":", 1)
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string("media.factory.role", "camera-user")
    auth.add_basic(GstRtspServer.RTSPAuth.make_basic(name, password), token)
    server.set_auth(auth)
    factory.add_role_from_structure(Gst.Structure.from_string(
        "camera-user, media.factory.access=(boolean)true, media.factory.construct=(boolean)true")[0])
server.get_mount_points().add_factory("/cam", factory)
server.attach(None)
print("ready", flush=True)
GLib.MainLoop().run()
