namespace LineWatch.Scoring;

/// <summary>A profile cannot be used with this model or camera; the message says what differs.</summary>
public sealed class ProfileMismatchException(string message) : Exception(message);
