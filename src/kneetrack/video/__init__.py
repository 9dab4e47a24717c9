"""Video input: probing, streaming decode with timestamps and rotation."""

from kneetrack.video.reader import Frame, VideoInfo, iter_frames, probe_video

__all__ = ["Frame", "VideoInfo", "iter_frames", "probe_video"]
