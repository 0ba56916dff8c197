using System.Globalization;
using System.Text.Json;

namespace Tessera.Pipelines.Tools.Boutiques;

/// <summary>Checks one value of an invocation against its input's type and constraints.</summary>
public static class InvocationValues
{
    /// <summary>Null when <paramref name="value"/> suits <paramref name="input"/>; otherwise what is wrong.</summary>
    public static string? Check(BoutiquesInput input, JsonElement value)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Type == "Flag")
            return value.ValueKind is JsonValueKind.True or JsonValueKind.False ? null : "a Flag is true or false.";
        if (input.List)
        {
            // A single value stands for a list of one, as Boutiques reads it.
            if (value.ValueKind != JsonValueKind.Array)
                return CheckOne(input, value);
            var count = value.GetArrayLength();
            if (input.MinListEntries is { } min && count < min)
                return $"at least {min} entries are expected, not {count}.";
            if (input.MaxListEntries is { } max && count > max)
                return $"at most {max} entries are expected, not {count}.";
            return value.EnumerateArray().Select(v => CheckOne(input, v)).FirstOrDefault(e => e is not null);
        }
        return CheckOne(input, value);
    }

    /// <summary>The text a value takes in the command line (numbers in invariant form).</summary>
    public static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number => value.GetDouble().ToString(CultureInfo.InvariantCulture),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(),
    };

    private static string? CheckOne(BoutiquesInput input, JsonElement value)
    {
        if (input.Type == "Number")
        {
            if (value.ValueKind != JsonValueKind.Number)
                return "a number is expected.";
            var n = value.GetDouble();
            if (input.WholeNumber && n != Math.Floor(n))
                return $"a whole number is expected, not {Text(value)}.";
            if (input.Minimum is { } min && (n < min || (input.ExclusiveMinimum && n == min)))
                return $"{Text(value)} is below the minimum ({(input.ExclusiveMinimum ? "exclusive " : "")}{min.ToString(CultureInfo.InvariantCulture)}).";
            if (input.Maximum is { } max && (n > max || (input.ExclusiveMaximum && n == max)))
                return $"{Text(value)} is above the maximum ({(input.ExclusiveMaximum ? "exclusive " : "")}{max.ToString(CultureInfo.InvariantCulture)}).";
        }
        else if (value.ValueKind != JsonValueKind.String)
        {
            return $"a {(input.Type == "File" ? "file path" : "string")} is expected.";
        }
        else if (!IsText(value))
        {
            return "the string is not valid Unicode (it holds a lone surrogate).";
        }
        else if (value.GetString()!.Contains('\0', StringComparison.Ordinal))
        {
            // A command line is a C string: it would end there.
            return "a NUL character (\\u0000) cannot be passed on a command line.";
        }
        if (input.Choices is { Count: > 0 } choices && !choices.Any(c => Text(c) == Text(value)))
            return $"'{Text(value)}' is not one of {string.Join(", ", choices.Select(Text))}.";
        return null;
    }

    /// <summary>Whether a JSON string is text .NET can read (an escaped lone surrogate, "\ud800", is not).</summary>
    private static bool IsText(JsonElement value)
    {
        try
        {
            _ = value.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
