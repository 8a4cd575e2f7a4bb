namespace LineWatch.Capture;

/// <summary>A video source could not be opened or read; the message names the source and the reason.</summary>
public sealed class VideoSourceException(string message) : Exception(message);
