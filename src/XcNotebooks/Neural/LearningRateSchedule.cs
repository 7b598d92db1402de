namespace XcNotebooks.Neural;

/// <summary>
/// Linear warm-up then linear decay to zero (HF transformers' get_linear_schedule_with_warmup, used by DEXA, NGAME
/// and DEXML): the rate of step t (0-based, before the step is taken) is peak·t/W for t &lt; W, then
/// peak·max(0, (T − t)/(T − W)).
/// </summary>
/// <param name="Peak">The rate reached at the end of the warm-up.</param>
/// <param name="WarmupSteps">W.</param>
/// <param name="TotalSteps">T, where the rate reaches zero (may be fractional: epochs·points/batch).</param>
public sealed record LinearWarmupSchedule(float Peak, int WarmupSteps, double TotalSteps)
{
    /// <summary>The learning rate for step <paramref name="step"/>.</summary>
    public float At(int step)
    {
        if (step < WarmupSteps) return Peak * step / Math.Max(1, WarmupSteps);
        return (float)(Peak * Math.Max(0.0, (TotalSteps - step) / Math.Max(1.0, TotalSteps - WarmupSteps)));
    }
}
