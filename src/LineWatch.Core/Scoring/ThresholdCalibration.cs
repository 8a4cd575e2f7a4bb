namespace LineWatch.Scoring;

/// <summary>
/// Chooses an alert threshold from scores of normal windows that the profile was not fitted on, for a target
/// false-alarm rate. The rate is far beyond what a few hundred held-out windows can show directly (one false
/// alarm per 8-hour shift is one window in ~57,600 at 2 windows/s), so the tail is extrapolated from a
/// log-normal fitted to the held-out scores; the threshold is never below the largest held-out score plus 10%.
/// </summary>
public static class ThresholdCalibration
{
    /// <param name="windowsPerFalseAlarm">Normal windows allowed per false alarm, e.g. 8 h x 3600 x windows per second.</param>
    public static double Calibrate(IReadOnlyList<double> heldOut, double windowsPerFalseAlarm)
    {
        if (heldOut.Count < 10) throw new InvalidOperationException($"need at least 10 held-out normal windows to calibrate, have {heldOut.Count}");
        var logs = heldOut.Select(s => Math.Log(Math.Max(s, 1e-9))).ToArray();
        var mean = logs.Average();
        var std = Math.Sqrt(logs.Sum(v => (v - mean) * (v - mean)) / (logs.Length - 1));
        var z = NormalQuantile(1 - 1 / Math.Max(2, windowsPerFalseAlarm));
        return Math.Max(Math.Exp(mean + z * std), heldOut.Max() * 1.1);
    }

    /// <summary>Inverse of the standard normal CDF (Acklam's rational approximation, relative error below 1.2e-9).</summary>
    public static double NormalQuantile(double p)
    {
        if (p is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(p));
        double[] a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        double[] b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        double[] c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        double[] d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        const double low = 0.02425;
        if (p < low)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - low) return -NormalQuantile(1 - p);
        var r = p - 0.5;
        var s = r * r;
        return (((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1);
    }
}
