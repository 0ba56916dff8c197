namespace Tessera.Pipelines.Tests;

/// <summary>
/// Descriptors of our own, each written after a pattern that the Boutiques authors' examples and
/// tests use (boutiques/schema/examples, boutiques/tests), with commands this machine has.
/// </summary>
public static class BoutiquesExamples
{
    /// <summary>A list of strings inside the template's own quotes (as example2's <c>printf '[STRING_INPUT]\n'</c>).</summary>
    public const string QuotedList = """
        {
          "name": "quoted-list", "tool-version": "1", "description": "Writes its words on one line.", "schema-version": "0.5",
          "command-line": "printf '%s\\n' '[WORDS]' > [LOG]",
          "inputs": [
            { "id": "words", "name": "Words", "type": "String", "list": true, "min-list-entries": 1, "max-list-entries": 3,
              "value-key": "[WORDS]", "default-value": ["a", "value"] }
          ],
          "output-files": [ { "id": "log", "name": "Log", "path-template": "output/log.txt", "value-key": "[LOG]" } ]
        }
        """;

    /// <summary>Quoted and bare value-keys, bash's <c>&amp;&gt;</c>, an output named after a file input less its extension (as example3).</summary>
    public const string BashRedirect = """
        {
          "name": "bash-redirect", "tool-version": "1", "description": "Writes its words and its file's path.", "schema-version": "0.5",
          "shell": "/bin/bash",
          "command-line": "printf '%s|' \"[WORDS]\" [FILE] &> [LOG]",
          "inputs": [
            { "id": "words", "name": "Words", "type": "String", "list": true, "value-key": "[WORDS]" },
            { "id": "file", "name": "File", "type": "File", "value-key": "[FILE]" }
          ],
          "output-files": [
            { "id": "log", "name": "Log", "path-template": "output/log-[FILE].txt", "path-template-stripped-extensions": [".txt", ".csv"], "value-key": "[LOG]" }
          ]
        }
        """;

    /// <summary>
    /// Every input type with flags, a flag separator, value-choices, a group, requires and disables,
    /// and an output that names a string input (as example1); printf stands in for the tool.
    /// </summary>
    public const string EveryType = """
        {
          "name": "every-type", "tool-version": "0.0.1", "description": "Prints its arguments.", "schema-version": "0.5",
          "command-line": "printf '<%s>\\n' [STRING_LIST] [STRING] [FILE_LIST] [FLAG] [NUMBER] [CHOICE] [FILE] [LOG] [INT_LIST]",
          "inputs": [
            { "id": "str_list", "name": "Strings", "type": "String", "list": true, "min-list-entries": 1, "max-list-entries": 3,
              "command-line-flag": "-i", "value-key": "[STRING_LIST]", "default-value": ["aStringValue"] },
            { "id": "str", "name": "String", "type": "String", "command-line-flag": "-s", "value-key": "[STRING]", "default-value": "aStringValue" },
            { "id": "file_list", "name": "Files", "type": "File", "list": true, "optional": true, "command-line-flag": "-t", "value-key": "[FILE_LIST]" },
            { "id": "flag", "name": "Flag", "type": "Flag", "optional": true, "command-line-flag": "-f", "value-key": "[FLAG]",
              "requires-inputs": ["file"], "disables-inputs": ["number"] },
            { "id": "number", "name": "Number", "type": "Number", "optional": true, "command-line-flag": "-n", "command-line-flag-separator": "=",
              "minimum": 0, "exclusive-minimum": true, "maximum": 1, "value-key": "[NUMBER]" },
            { "id": "choice", "name": "Choice", "type": "String", "optional": true, "command-line-flag": "-e", "value-choices": ["val1", "val2"], "value-key": "[CHOICE]" },
            { "id": "file", "name": "File", "type": "File", "optional": true, "value-key": "[FILE]" },
            { "id": "int_list", "name": "Whole numbers", "type": "Number", "integer": true, "list": true, "min-list-entries": 1,
              "command-line-flag": "-l", "value-key": "[INT_LIST]" }
          ],
          "groups": [ { "id": "one_of", "name": "Number or choice", "members": ["number", "choice"], "mutually-exclusive": true, "one-is-required": true } ],
          "output-files": [
            { "id": "log", "name": "Log", "path-template": "output/log-[STRING].txt", "path-template-stripped-extensions": [".txt", ".csv"], "value-key": "[LOG]" }
          ]
        }
        """;

    /// <summary>Lists with their own separators (as tests/simulate/list_separator.json).</summary>
    public const string ListSeparators = """
        {
          "name": "list-separators", "tool-version": "0.1", "description": "Prints its lists.", "schema-version": "0.5",
          "command-line": "printf '<%s>\\n' [NUMBERS] [FILES] [STRINGS]",
          "inputs": [
            { "id": "numbers", "name": "Numbers", "type": "Number", "list": true, "list-separator": ":", "min-list-entries": 2, "value-key": "[NUMBERS]" },
            { "id": "files", "name": "Files", "type": "File", "list": true, "list-separator": ",", "min-list-entries": 2, "value-key": "[FILES]" },
            { "id": "strings", "name": "Strings", "type": "String", "list": true, "list-separator": "', '", "value-key": "[STRINGS]" }
          ]
        }
        """;

    /// <summary>Value-keys inside a word, with no space around them (as tests/simulate/no_spaces.json).</summary>
    public const string NoSpaces = """
        {
          "name": "no-spaces", "tool-version": "0.1", "description": "Prints one word.", "schema-version": "0.5",
          "command-line": "printf '<%s>\\n' before[FIRST]between[SECOND]after",
          "inputs": [
            { "id": "first", "name": "First", "type": "String", "value-key": "[FIRST]" },
            { "id": "second", "name": "Second", "type": "String", "list": true, "min-list-entries": 1, "max-list-entries": 1, "value-key": "[SECOND]" }
          ]
        }
        """;

    /// <summary>Only flags (as tests/example_flag/example-flag.json).</summary>
    public const string Flags = """
        {
          "name": "flags", "tool-version": "1.0.0", "description": "Prints its flags.", "schema-version": "0.5",
          "command-line": "printf '<%s>\\n' flags: [A] [B]",
          "inputs": [
            { "id": "a", "name": "A", "type": "Flag", "optional": true, "command-line-flag": "-a", "value-key": "[A]" },
            { "id": "b", "name": "B", "type": "Flag", "optional": true, "command-line-flag": "-b", "value-key": "[B]" }
          ]
        }
        """;

    /// <summary>A string input used twice as a file name, in "..." beside it (as tests/exec/test_baremetal.json).</summary>
    public const string FileNamedByInput = """
        {
          "name": "file-named-by-input", "tool-version": "1", "description": "Writes a file it names.", "schema-version": "0.5",
          "command-line": "echo \"written by the tool\" > \"output/[NAME]\" && cat \"output/[NAME]\"",
          "inputs": [ { "id": "name", "name": "Name", "type": "String", "value-key": "[NAME]" } ],
          "output-files": [ { "id": "written", "name": "Written", "path-template": "output/[NAME]" } ]
        }
        """;

    /// <summary>Numbers, a list of three numbers and many flags, outputs named after a string input (as fsl_bet).</summary>
    public const string BrainExtraction = """
        {
          "name": "brain-extraction", "tool-version": "1", "description": "Prints what bet would be given.", "schema-version": "0.5",
          "command-line": "printf '<%s>\\n' [INPUT_FILE] [MASK] [FRACTIONAL_INTENSITY] [CENTER_OF_GRAVITY] [BINARY_MASK_FLAG] [APPROX_SKULL_FLAG] [HEAD_RADIUS] [VERBOSE_FLAG]",
          "inputs": [
            { "id": "infile", "name": "Input file", "type": "File", "value-key": "[INPUT_FILE]" },
            { "id": "maskfile", "name": "Output mask", "type": "String", "value-key": "[MASK]" },
            { "id": "fractional_intensity", "name": "Fractional intensity", "type": "Number", "optional": true, "minimum": 0, "maximum": 1,
              "command-line-flag": "-f", "value-key": "[FRACTIONAL_INTENSITY]" },
            { "id": "center_of_gravity", "name": "Centre of gravity", "type": "Number", "list": true, "min-list-entries": 3, "max-list-entries": 3,
              "optional": true, "command-line-flag": "-c", "value-key": "[CENTER_OF_GRAVITY]" },
            { "id": "binary_mask_flag", "name": "Binary mask", "type": "Flag", "optional": true, "command-line-flag": "-m", "value-key": "[BINARY_MASK_FLAG]" },
            { "id": "approx_skull_flag", "name": "Skull", "type": "Flag", "optional": true, "command-line-flag": "-s", "value-key": "[APPROX_SKULL_FLAG]" },
            { "id": "head_radius", "name": "Head radius", "type": "Number", "optional": true, "command-line-flag": "-r", "value-key": "[HEAD_RADIUS]" },
            { "id": "verbose_flag", "name": "Verbose", "type": "Flag", "optional": true, "command-line-flag": "-v", "value-key": "[VERBOSE_FLAG]" }
          ],
          "output-files": [
            { "id": "outfile", "name": "Brain", "path-template": "output/[MASK].nii.gz", "optional": true },
            { "id": "binary_mask", "name": "Mask", "path-template": "output/[MASK]_mask.nii.gz", "optional": true }
          ]
        }
        """;
}
