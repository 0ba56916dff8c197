using System.Text.Json.Nodes;
using Shouldly;
using Tessera.Archive;
using Tessera.Pipelines.Tools.Boutiques;

namespace Tessera.Pipelines.Tests.Bugs;

/// <summary>
/// The security finding "podman/docker option injection through the container image name":
/// <c>"container-image": {"image": "--rootfs"}</c> with <c>"shell": "/"</c> was registered, and podman took
/// the image for its option and the shell for a root file system. Image references, shells and the
/// other descriptor text that reaches an argv (resources, the Slurm partition, environment names) are checked.
/// </summary>
public sealed class ContainerImageOption
{
    private static JsonObject Tool(string? image = null, string? shell = null, string? type = "docker")
    {
        var descriptor = Descriptors.Counter();
        if (image is not null)
            descriptor["container-image"] = type is null ? new JsonObject { ["image"] = image } : new JsonObject { ["type"] = type, ["image"] = image };
        if (shell is not null)
            descriptor["shell"] = shell;
        return descriptor;
    }

    private static async Task<IReadOnlyList<string>> ProblemsAsync(JsonObject descriptor) =>
        (await Should.ThrowAsync<TesseraException>(() => DescriptorReader.ReadAsync(descriptor.Text()))).Details;

    [Theory]
    [InlineData("--rootfs")]
    [InlineData("-v")]
    [InlineData("--privileged=true")]
    [InlineData("ubuntu latest")]
    [InlineData("ubuntu\n--rootfs")]
    [InlineData("library/UPPER")]
    [InlineData("ubuntu:")]
    [InlineData("ubuntu@sha256:abc")]
    [InlineData("docker://ubuntu")]
    public async Task Register_ImageThatIsNoReference_Refused(string image)
    {
        var problems = await ProblemsAsync(Tool(image));

        problems.ShouldContain(p => p.Contains("is not an image reference", StringComparison.Ordinal), string.Join(" | ", problems));
    }

    [Fact]
    public async Task Register_TheTestersDescriptor_Refused()
    {
        var problems = await ProblemsAsync(Tool("--rootfs", "/"));

        problems.ShouldContain(p => p.Contains("'--rootfs' is not an image reference", StringComparison.Ordinal));
        problems.ShouldContain(p => p.Contains("The shell '/' must be an absolute path of a program", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Register_ImageLongerThanTheColumn_Refused()
    {
        var problems = await ProblemsAsync(Tool("a" + new string('b', DescriptorChecks.MaxImageLength)));

        problems.ShouldContain(p => p.Contains("is not an image reference", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ubuntu", "docker")]
    [InlineData("ubuntu:22.04", "docker")]
    [InlineData("localhost/tessera-test-busybox:1", "docker")]
    [InlineData("registry.example.org:5000/team/fsl_6.0-x__y:v6.0.7.1", "docker")]
    [InlineData("ghcr.io/org/tool@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "docker")]
    [InlineData("docker://boutiques/example1:test", "singularity")]
    public async Task Register_ImageReference_Taken(string image, string? type)
    {
        var definition = await Descriptors.ReadAsync(Tool(image, type: type));

        definition.Descriptor.Container!.Image.ShouldBe(image);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("-c")]
    [InlineData("bash")]
    [InlineData("/bin/ba sh")]
    [InlineData("/bin/bash\n")]
    [InlineData("--rootfs")]
    public async Task Register_ShellThatIsNoAbsolutePath_Refused(string shell)
    {
        var problems = await ProblemsAsync(Tool(shell: shell));

        problems.ShouldContain(p => p.Contains("must be an absolute path of a program", StringComparison.Ordinal), string.Join(" | ", problems));
    }

    [Theory]
    [InlineData("""{ "cpu-cores": 0 }""", "cpu-cores")]
    [InlineData("""{ "ram": -1 }""", "ram")]
    [InlineData("""{ "ram": 0 }""", "ram")]
    [InlineData("""{ "walltime-estimate": -5 }""", "walltime-estimate")]
    public async Task Register_ResourcesNotPositive_Refused(string resources, string which)
    {
        var descriptor = Tool();
        descriptor["suggested-resources"] = JsonNode.Parse(resources);

        var problems = await ProblemsAsync(descriptor);

        problems.ShouldContain(p => p.Contains(which, StringComparison.Ordinal), string.Join(" | ", problems));
    }

    [Theory]
    [InlineData("--partition=gpu")]
    [InlineData("a b")]
    [InlineData("gpu\n#SBATCH --uid=0")]
    public async Task Register_PartitionThatIsNoName_Refused(string partition)
    {
        var descriptor = Tool();
        descriptor["custom"] = new JsonObject { ["tessera:partition"] = partition };

        var problems = await ProblemsAsync(descriptor);

        problems.ShouldContain(p => p.Contains("partition must be Slurm partition names", StringComparison.Ordinal), string.Join(" | ", problems));
    }

    [Theory]
    [InlineData("PPID")]
    [InlineData("SHELLOPTS")]
    public async Task Register_EnvironmentNameAShellCannotSet_Refused(string name)
    {
        var descriptor = Tool();
        descriptor["environment-variables"] = new JsonArray(new JsonObject { ["name"] = name, ["value"] = "x" });

        var problems = await ProblemsAsync(descriptor);

        problems.ShouldContain(p => p.Contains($"'{name}' is not a name a shell can set", StringComparison.Ordinal), string.Join(" | ", problems));
    }
}
