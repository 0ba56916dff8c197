using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Shouldly;
using Tessera.Dicom;
using Tessera.Dicom.IO;
using Tessera.Dicom.Network;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.DicomNetwork;

/// <summary>
/// Who may do what over DIMSE, as dcmtk asks it: every calling AE (registered for project A, for B,
/// for none, unknown, and a user identity) × every called AE (the server's, A's own, B's own) ×
/// every operation (echo, find, get, move, store). Without a user an AE acts only in its own row's
/// project; calling another project's AE title is rejected (regression: it used to act with admin
/// rights in the called project).
/// </summary>
public sealed class DimseAccessMatrixTests(DimseAccessMatrixTests.Matrix matrix) : IClassFixture<DimseAccessMatrixTests.Matrix>
{
    /// <summary>What a (caller, called) pair gets: the association rejected, the project it reads and stores in, or public projects to read and no store.</summary>
    public enum Outcome
    {
        Rejected,
        ProjectA,
        ProjectB,
        PublicOnly,
    }

    public static TheoryData<string, string, string?, Outcome> Pairs => new()
    {
        { "CALLER_A", "SERVER", null, Outcome.ProjectA },
        { "CALLER_A", "A", null, Outcome.ProjectA },
        { "CALLER_A", "B", null, Outcome.Rejected },
        { "CALLER_B", "SERVER", null, Outcome.ProjectB },
        { "CALLER_B", "A", null, Outcome.Rejected },
        { "CALLER_B", "B", null, Outcome.ProjectB },
        { "CALLER_NONE", "SERVER", null, Outcome.PublicOnly },
        { "CALLER_NONE", "A", null, Outcome.Rejected },
        { "CALLER_NONE", "B", null, Outcome.Rejected },
        { "UNKNOWN_AE", "SERVER", null, Outcome.Rejected },
        { "UNKNOWN_AE", "A", null, Outcome.Rejected },
        // A user identity: the member of A reads A wherever it calls, and is refused at B's own title.
        { "CALLER_NONE", "A", "member", Outcome.ProjectA },
        { "CALLER_NONE", "B", "member", Outcome.Rejected },
        { "CALLER_B", "A", "member", Outcome.ProjectA },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public async Task EveryOperation_OfACallerAtACalledAe_StaysInTheProjectsItsRowOrUserGrants(string calling, string called, string? user, Outcome outcome)
    {
        var m = await matrix.ReadyAsync();
        var calledAe = called switch { "SERVER" => DicomNodeServer.AeTitle, "A" => m.AeA, _ => m.AeB };
        var results = user is null ? await WithDcmtkAsync(calling, calledAe, m) : await WithUserIdentityAsync(calling, calledAe, m);
        var context = $"{calling} → {called} as {user ?? "no user"}";

        if (outcome == Outcome.Rejected)
        {
            results.ShouldAllBe(r => r.Value == Rejected, context);
            return;
        }
        results[Operation.Echo].ShouldBe(Success, context);
        if (outcome == Outcome.PublicOnly)
        {
            // Both projects are private: nothing to find, get or move; no project takes its stores.
            results.Where(r => r.Key is not (Operation.Echo or Operation.Store)).ShouldAllBe(r => r.Value == 0, context);
            results[Operation.Store].ShouldBe(NotAuthorized, context);
            return;
        }
        var own = outcome == Outcome.ProjectA;
        results[Operation.FindA].ShouldBe(own ? 1 : 0, context);
        results[Operation.FindB].ShouldBe(own ? 0 : 1, context);
        results[Operation.GetA].ShouldBe(own ? 1 : 0, context);
        results[Operation.GetB].ShouldBe(own ? 0 : 1, context);
        results[Operation.MoveA].ShouldBe(own ? 1 : 0, context);
        results[Operation.MoveB].ShouldBe(own ? 0 : 1, context);
        results[Operation.Store].ShouldBe(Success, context);
        (await matrix.ProjectOfStudyAsync(m.LastStored!)).ShouldBe(own ? m.ProjectA : m.ProjectB, context);
    }

        [Fact]
    public async Task ARefusedAssociation_AndAFind_AreAudited()
    {
        var m = await matrix.ReadyAsync();
        await Dcmtk.RunAsync("echoscu", "-aet", "CALLER_B", "-aec", m.AeA, "127.0.0.1", matrix.PortText);
        await Dcmtk.RunAsync("findscu", ["-S", "-aet", "CALLER_A", "-aec", DicomNodeServer.AeTitle, .. Keys(m.StudyA), "127.0.0.1", matrix.PortText]);

        using var admin = matrix.Admin();
        var audit = await admin.GetFromJsonAsync<JsonElement>($"api/audit?project={m.ProjectA}&limit=500");
        var actions = audit.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        actions.ShouldContain($"DICOM association refused: CALLER_B → {m.AeA}");
        actions.ShouldContain("DICOM C-FIND by CALLER_A");
    }

    /// <summary>
    /// A C-MOVE sends only where the AE table lets Tessera send: to a row that allows store, of the caller's project or
    /// of none (regression: any row was a destination, even one allowed only echo, or another project's).
    /// </summary>
    [Fact]
    public async Task AMove_GoesOnlyToADestinationThatTakesStores_OfTheCallersProjectOrNone()
    {
        var m = await matrix.ReadyAsync();
        async Task<string> MoveAsync(string destination) =>
            (await Dcmtk.RunAsync("movescu", ["-d", "-S", "-aem", destination, .. Keys(m.StudyA), "-aet", "CALLER_A", "-aec", DicomNodeServer.AeTitle, "127.0.0.1", matrix.PortText])).Output;

        var noStore = await MoveAsync(Matrix.NoStoreDestination);
        var ofB = await MoveAsync(Matrix.DestinationOfB);
        var unknown = await MoveAsync("NOT_IN_TABLE");
        var allowed = await MoveAsync(Matrix.Destination);

        noStore.ShouldContain("0x0124");
        noStore.ShouldContain("takes no stores");
        ofB.ShouldContain("0x0124");
        ofB.ShouldContain("another project's node");
        unknown.ShouldContain("0xa801", Case.Insensitive);
        allowed.ShouldMatch(@"Completed Suboperations\s*: 1");
        using var admin = matrix.Admin();
        var audit = await admin.GetFromJsonAsync<JsonElement>($"api/audit?project={m.ProjectA}&limit=500");
        audit.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("target").GetString()).ShouldContain(t => t!.Contains("another project's node", StringComparison.Ordinal));
    }

    private const int Rejected = -1;
    private const int NotAuthorized = -2;
    private const int Success = -3;
    private const int Other = -4;

    public enum Operation
    {
        Echo,
        FindA,
        FindB,
        GetA,
        GetB,
        MoveA,
        MoveB,
        Store,
    }

    /// <summary>Each operation by dcmtk's tools: a count of what was found, got or moved, or what refused it.</summary>
    private async Task<Dictionary<Operation, int>> WithDcmtkAsync(string calling, string calledAe, Matrix.Setup m)
    {
        string[] peer = ["-aet", calling, "-aec", calledAe, "127.0.0.1", matrix.PortText];
        var results = new Dictionary<Operation, int>();
        var (echoExit, echo) = await Dcmtk.RunAsync("echoscu", ["-v", .. peer]);
        results[Operation.Echo] = Refusal(echo) ?? (echoExit == 0 ? Success : Other);
        foreach (var (operation, study) in new[] { (Operation.FindA, m.StudyA), (Operation.FindB, m.StudyB) })
        {
            var directory = Directory.CreateTempSubdirectory("tessera-matrix-").FullName;
            var (_, output) = await Dcmtk.RunAsync("findscu", ["-v", "-S", "-X", "-od", directory, .. Keys(study), .. peer]);
            results[operation] = Refusal(output) ?? Directory.GetFiles(directory, "rsp*.dcm").Length;
            Directory.Delete(directory, recursive: true);
        }
        foreach (var (operation, study) in new[] { (Operation.GetA, m.StudyA), (Operation.GetB, m.StudyB) })
        {
            var directory = Directory.CreateTempSubdirectory("tessera-matrix-").FullName;
            var (_, output) = await Dcmtk.RunAsync("getscu", ["-v", "-S", "-od", directory, .. Keys(study), .. peer]);
            results[operation] = Refusal(output) ?? Directory.GetFiles(directory).Length;
            Directory.Delete(directory, recursive: true);
        }
        foreach (var (operation, study) in new[] { (Operation.MoveA, m.StudyA), (Operation.MoveB, m.StudyB) })
        {
            var (_, output) = await Dcmtk.RunAsync("movescu", ["-d", "-S", "-aem", Matrix.Destination, .. Keys(study), .. peer]);
            var completed = System.Text.RegularExpressions.Regex.Matches(output, @"Completed Suboperations\s*: (\d+|none)");
            results[operation] = Refusal(output) ?? (completed.Count == 0 ? Other : completed[^1].Groups[1].Value == "none" ? 0 : int.Parse(completed[^1].Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        }
        results[Operation.Store] = await StoreAsync(m, peer);
        return results;
    }

    /// <summary>
    /// The operations with a user identity (username and passcode), by our own SCU: dcmtk's findscu,
    /// getscu, movescu and echoscu cannot send one. The store goes by storescu, which can.
    /// </summary>
    private async Task<Dictionary<Operation, int>> WithUserIdentityAsync(string calling, string calledAe, Matrix.Setup m)
    {
        var results = new Dictionary<Operation, int>();
        var identity = new UserIdentity(UserIdentityType.UsernameAndPasscode, false, Encoding.UTF8.GetBytes(m.Member), Encoding.UTF8.GetBytes(TestServer.PasswordOf(m.Member)));
        var request = new AssociateRequest(calledAe, calling,
            [new PresentationContextProposal(1, DimseSopClasses.StudyRootFind, [TransferSyntax.ExplicitVrLittleEndian.Uid]),
             new PresentationContextProposal(3, DimseSopClasses.StudyRootMove, [TransferSyntax.ExplicitVrLittleEndian.Uid]),
             new PresentationContextProposal(5, DimseSopClasses.Verification, [TransferSyntax.ExplicitVrLittleEndian.Uid])],
            new UserInformation { MaxPduLength = 65536, UserIdentity = identity });
        try
        {
            await using var client = await DimseClient.ConnectAsync("127.0.0.1", matrix.Port, request, TimeSpan.FromSeconds(30), CancellationToken.None);
            results[Operation.Echo] = Status((await client.RequestAsync(5, DimseCommand.Request(DimseCommand.CEchoRequest, DimseSopClasses.Verification), (ReadOnlyMemory<byte>?)null, CancellationToken.None))[^1]);
            foreach (var (operation, study) in new[] { (Operation.FindA, m.StudyA), (Operation.FindB, m.StudyB) })
            {
                var responses = await client.RequestAsync(1, DimseCommand.Request(DimseCommand.CFindRequest, DimseSopClasses.StudyRootFind), Identifier(study), CancellationToken.None);
                results[operation] = Status(responses[^1]) is var s && s != Success ? s : responses.Count - 1;
            }
            foreach (var (operation, study) in new[] { (Operation.MoveA, m.StudyA), (Operation.MoveB, m.StudyB) })
            {
                var command = DimseCommand.Request(DimseCommand.CMoveRequest, DimseSopClasses.StudyRootMove);
                command.SetString(DicomTags.MoveDestination, Matrix.Destination);
                var final = (await client.RequestAsync(3, command, Identifier(study), CancellationToken.None))[^1];
                results[operation] = Status(final) is var s && s != Success ? s : SubOperationCounts.Read(final.Command).Completed;
            }
            await client.ReleaseAsync(CancellationToken.None);
        }
        catch (AssociationRejectedException)
        {
            foreach (var operation in new[] { Operation.Echo, Operation.FindA, Operation.FindB, Operation.MoveA, Operation.MoveB })
                results[operation] = Rejected;
        }
        // C-GET takes the same path as C-MOVE (the association's read rights): it stands as the move does.
        (results[Operation.GetA], results[Operation.GetB]) = (results[Operation.MoveA], results[Operation.MoveB]);
        results[Operation.Store] = await StoreAsync(m, ["-aet", calling, "-aec", calledAe, "-usr", m.Member, "-pwd", TestServer.PasswordOf(m.Member), "127.0.0.1", matrix.PortText]);
        return results;

        static int Status(DimseMessage message) => new DimseStatus(message.Status) switch
        {
            { IsPending: true } or { IsSuccess: true } => Success,
            var s when s.Code == 0x0124 => NotAuthorized,
            _ => Other,
        };
    }

    /// <summary>Stores an instance of a new study with storescu (which, alone of the tools, can send a user identity); its study is <c>LastStored</c>.</summary>
    private static async Task<int> StoreAsync(Matrix.Setup m, string[] peer)
    {
        m.LastStored = TestDicom.NewUid();
        var path = Path.Combine(Path.GetTempPath(), $"tessera-matrix-{Guid.NewGuid():N}.dcm");
        await File.WriteAllBytesAsync(path, TestDicom.Create(m.LastStored, TestDicom.NewUid(), TestDicom.NewUid(), "MATRIX-STORE"));
        var (_, store) = await Dcmtk.RunAsync("storescu", ["-v", .. peer, path]);
        File.Delete(path);
        return Refusal(store) ?? (store.Contains("Received Store Response (Success)", StringComparison.Ordinal) ? Success : Other);
    }

    private static int? Refusal(string output) =>
        output.Contains("Association Rejected", StringComparison.OrdinalIgnoreCase) ? Rejected : output.Contains("0x124", StringComparison.Ordinal) ? NotAuthorized : null;

    private static string[] Keys(string study) => ["-k", "QueryRetrieveLevel=STUDY", "-k", $"StudyInstanceUID={study}"];

    private static byte[] Identifier(string study)
    {
        var identifier = new DicomDataset();
        identifier.SetString(DicomTags.QueryRetrieveLevel, "STUDY");
        identifier.SetString(DicomTags.StudyInstanceUid, study);
        using var encoded = new MemoryStream();
        DicomWriter.WriteDataset(encoded, identifier, TransferSyntax.ExplicitVrLittleEndian);
        return encoded.ToArray();
    }

    /// <summary>The server, its two projects with a study each and their own AE titles, the AE table, and a storescp as the move destination.</summary>
    public sealed class Matrix : DicomNodeServer
    {
        public const string Destination = "MATRIX_DEST";
        public const string NoStoreDestination = "MATRIX_NOSTORE";
        public const string DestinationOfB = "MATRIX_DEST_B";

        private readonly SemaphoreSlim _gate = new(1, 1);
        private Setup? _setup;
        private StorescpProcess? _destination;

        public sealed record Setup(string ProjectA, string ProjectB, string AeA, string AeB, string StudyA, string StudyB, string Member)
        {
            /// <summary>The study of the last instance a test stored.</summary>
            public string? LastStored { get; set; }
        }

        public async Task<Setup> ReadyAsync()
        {
            await _gate.WaitAsync();
            try
            {
                return _setup ??= await SetUpAsync();
            }
            finally
            {
                _gate.Release();
            }
        }

        /// <summary>Which project holds the study (as the admin sees it), or null.</summary>
        public async Task<string?> ProjectOfStudyAsync(string study)
        {
            var setup = await ReadyAsync();
            using var admin = Admin();
            foreach (var project in new[] { setup.ProjectA, setup.ProjectB })
            {
                var found = await admin.GetFromJsonAsync<JsonElement>($"dicom-web/projects/{project}/studies?StudyInstanceUID={study}");
                if (found.GetArrayLength() > 0)
                    return project;
            }
            return null;
        }

        private async Task<Setup> SetUpAsync()
        {
            var member = await CreateUserAsync();
            var projectA = await CreateProjectAsync(member);
            var projectB = await CreateProjectAsync();
            var (aeA, aeB) = ("PA" + projectA[1..9].ToUpperInvariant(), "PB" + projectB[1..9].ToUpperInvariant());
            using var admin = Admin();
            foreach (var (project, ae) in new[] { (projectA, aeA), (projectB, aeB) })
                (await admin.PatchAsync($"api/projects/{project}", HttpAssertions.Json($"{{\"dicom\":{{\"aeTitle\":\"{ae}\"}}}}"))).EnsureSuccessStatusCode();
            var (studyA, studyB) = (TestDicom.NewUid(), TestDicom.NewUid());
            using var client = new Tessera.Client.TesseraClient(Admin());
            await client.ImportFileAsync(projectA, "a.dcm", new MemoryStream(TestDicom.Create(studyA, TestDicom.NewUid(), TestDicom.NewUid(), "MATRIX-A")));
            await client.ImportFileAsync(projectB, "b.dcm", new MemoryStream(TestDicom.Create(studyB, TestDicom.NewUid(), TestDicom.NewUid(), "MATRIX-B")));
            string[] all = ["echo", "store", "find", "move", "get"];
            await PutNodeAsync("CALLER_A", projectA, all);
            await PutNodeAsync("CALLER_B", projectB, all);
            await PutNodeAsync("CALLER_NONE", null, all);
            _destination = await StorescpProcess.StartAsync(Destination);
            // The same storescp under three rows: one that takes stores, one that does not, and one of project B.
            foreach (var (ae, allow, project) in new[] { (Destination, new[] { "echo", "store" }, (string?)null), (NoStoreDestination, ["echo"], null),
                         (DestinationOfB, ["echo", "store"], projectB) })
            {
                var body = JsonSerializer.Serialize(new { host = "127.0.0.1", port = _destination.Port, allow, project });
                (await admin.PutAsync($"api/dicom/nodes/{ae}", HttpAssertions.Json(body))).EnsureSuccessStatusCode();
            }
            return new Setup(projectA, projectB, aeA, aeB, studyA, studyB, member);
        }

        public override async ValueTask DisposeAsync()
        {
            if (_destination is not null)
                await _destination.DisposeAsync();
            _gate.Dispose();
            await base.DisposeAsync();
        }
    }
}
