using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace Tessera.Archive.Data.Migrations;

/// <summary>Trigger rules and their firings, batch runs, a project's own default executor.</summary>
[DbContext(typeof(ArchiveDbContext))]
[Migration("20261204000001_PipelineTriggers")]
public sealed class PipelineTriggers : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        var m = migrationBuilder;
        m.CreateTable("trigger_rules", t => new
        {
            id = t.Column<Guid>(nullable: false),
            project_id = t.Column<Guid>(nullable: false),
            name = t.Column<string>(maxLength: 64, nullable: false),
            tool_id = t.Column<Guid>(nullable: false),
            @event = t.Column<string>(name: "event", maxLength: 16, nullable: false),
            quiet_seconds = t.Column<int>(nullable: false),
            file_glob = t.Column<string>(maxLength: 512, nullable: true),
            level = t.Column<string>(maxLength: 16, nullable: false),
            session_type = t.Column<string>(maxLength: 64, nullable: true),
            session_fields = t.Column<string>(nullable: true),
            inputs = t.Column<string>(nullable: false),
            executor = t.Column<string>(maxLength: 32, nullable: true),
            enabled = t.Column<bool>(nullable: false),
            cursor = t.Column<long>(nullable: false),
            created_by = t.Column<Guid>(nullable: true),
            created_at = t.Column<DateTime>(nullable: false),
            updated_at = t.Column<DateTime>(nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_trigger_rules", x => x.id);
            t.ForeignKey("FK_trigger_rules_projects_project_id", x => x.project_id, "projects", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("FK_trigger_rules_tools_tool_id", x => x.tool_id, "tools", "id", onDelete: ReferentialAction.Restrict);
        });
        m.CreateIndex("IX_trigger_rules_project_id_name", "trigger_rules", ["project_id", "name"], unique: true);
        m.CreateIndex("IX_trigger_rules_tool_id", "trigger_rules", "tool_id");

        m.CreateTable("trigger_firings", t => new
        {
            id = t.Column<long>(nullable: false)
                .Annotation("Sqlite:Autoincrement", true)
                .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
            rule_id = t.Column<Guid>(nullable: false),
            key = t.Column<string>(maxLength: 256, nullable: false),
            job_id = t.Column<Guid>(nullable: true),
            skipped = t.Column<string>(maxLength: 1024, nullable: true),
            at = t.Column<DateTime>(nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_trigger_firings", x => x.id);
            t.ForeignKey("FK_trigger_firings_trigger_rules_rule_id", x => x.rule_id, "trigger_rules", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("IX_trigger_firings_rule_id_key", "trigger_firings", ["rule_id", "key"], unique: true);

        m.CreateTable("batches", t => new
        {
            id = t.Column<Guid>(nullable: false),
            project_id = t.Column<Guid>(nullable: false),
            tool_id = t.Column<Guid>(nullable: false),
            selection = t.Column<string>(maxLength: 1024, nullable: false),
            inputs = t.Column<string>(nullable: false),
            max_concurrent = t.Column<int>(nullable: false),
            total = t.Column<int>(nullable: false),
            created_by = t.Column<Guid>(nullable: true),
            created_at = t.Column<DateTime>(nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_batches", x => x.id);
            t.ForeignKey("FK_batches_projects_project_id", x => x.project_id, "projects", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("FK_batches_tools_tool_id", x => x.tool_id, "tools", "id", onDelete: ReferentialAction.Restrict);
        });
        m.CreateIndex("IX_batches_project_id_created_at", "batches", ["project_id", "created_at"]);
        m.CreateIndex("IX_batches_tool_id", "batches", "tool_id");

        // SQLite cannot add a foreign key to an existing table: the jobs' links are plain indexed columns.
        m.AddColumn<Guid>("batch_id", "jobs", nullable: true);
        m.AddColumn<Guid>("trigger_id", "jobs", nullable: true);
        m.CreateIndex("IX_jobs_batch_id", "jobs", "batch_id");
        m.CreateIndex("IX_jobs_trigger_id", "jobs", "trigger_id");
        m.AddColumn<string>("job_executor", "projects", maxLength: 32, nullable: true);
    }
}
