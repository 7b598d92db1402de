using System.Globalization;
using System.Net;

namespace XcNotebooks.Notebooks;

/// <summary>
/// The verdict of an exercise's check cell: whether the student's answer is right, and a hint when it is not.
/// Displays as one line (plain text and HTML), so a check cell ends with <c>Exercise.Check(...)</c>.
/// </summary>
public sealed record ExerciseResult(string Exercise, bool Correct, string Message)
{
    /// <summary>One line: "✅ Exercise 1: correct" or "❌ Exercise 1: not yet: hint".</summary>
    public override string ToString() => Correct ? $"✅ {Exercise}: {Message}" : $"❌ {Exercise}: not yet: {Message}";

    /// <summary>The same line as HTML, green or red.</summary>
    public string ToHtml() =>
        $"<div style=\"color:{(Correct ? "#1a7f37" : "#cf222e")};font-weight:600\">{WebUtility.HtmlEncode(ToString())}</div>";
}

/// <summary>
/// Checks for classroom exercises: each exercise of a notebook has a check cell that calls one of these with the
/// student's answer and the notebook's own reference (computed in the notebook, never typed in), and shows whether
/// the answer is right.
/// </summary>
public static class Exercise
{
    /// <summary>Right when <paramref name="correct"/> holds; otherwise shows <paramref name="hint"/>.</summary>
    public static ExerciseResult Check(string exercise, bool correct, string hint = "check your answer against the text above") =>
        new(exercise, correct, correct ? "correct" : hint);

    /// <summary>Right when |answer - expected| ≤ tolerance (and the answer is a number).</summary>
    public static ExerciseResult CheckClose(string exercise, double answer, double expected, double tolerance = 1e-6, string? hint = null)
    {
        bool ok = double.IsFinite(answer) && Math.Abs(answer - expected) <= tolerance;
        return Check(exercise, ok, hint ?? $"your answer is {Format(answer)}; it should be within {Format(tolerance)} of the right value");
    }

    /// <summary>Right when the two sequences hold the same items in the same order.</summary>
    public static ExerciseResult CheckEqual<T>(string exercise, IEnumerable<T>? answer, IEnumerable<T> expected, string? hint = null)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var given = answer?.ToArray();
        bool ok = given is not null && given.SequenceEqual(expected);
        return Check(exercise, ok, hint ?? (given is null ? "no answer yet" : $"your answer is [{string.Join(", ", given)}]"));
    }

    private static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
