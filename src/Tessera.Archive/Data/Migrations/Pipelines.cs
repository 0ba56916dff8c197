using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace Tessera.Archive.Data.Migrations;

/// <summary>Pipelines: tool versions, jobs with their history and log, assessment types and assessments; jobs' own tokens.</summary>
[DbContext(typeof(ArchiveDbContext))]
[Migration("20261203000001_Pipelines")]
public sealed class Pipelines : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        var m = migrationBuilder;
        m.CreateTable("tools", t => new
        {
            id = t.Column<Guid>(nullable: false),
            name = t.Column<string>(maxLength: 64, nullable: false),
            version = t.Column<string>(maxLength: 64, nullable: false),
            project_id = t.Column<Guid>(nullable: true),
            descriptor = t.Column<string>(nullable: false),
            description = t.Column<string>(nullable: true),
            assessment_type = t.Column<string>(maxLength: 128, nullable: true),
            container_image = t.Column<string>(maxLength: 512, nullable: true),
            deprecated = t.Column<bool>(nullable: false),
            deprecation_note = t.Column<string>(maxLength: 1024, nullable: true),
            created_by = t.Column<Guid>(nullable: true),
            created_at = t.Column<DateTime>(nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_tools", x => x.id);
            t.ForeignKey("FK_tools_projects_project_id", x => x.project_id, "projects", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("IX_tools_name_version", "tools", ["name", "version"], unique: true);
        m.CreateIndex("IX_tools_project_id", "tools", "project_id");

        m.CreateTable("jobs", t => new
        {
            id = t.Column<Guid>(nullable: false),
            project_id = t.Column<Guid>(nullable: false),
            tool_id = t.Column<Guid>(nullable: false),
            target = t.Column<string>(maxLength: 512, nullable: false),
            session_id = t.Column<Guid>(nullable: false),
            scan_id = t.Column<Guid>(nullable: true),
            inputs = t.Column<string>(nullable: false),
            state = t.Column<string>(maxLength: 16, nullable: false),
            executor = t.Column<string>(maxLength: 32, nullable: false),
            executor_id = t.Column<string>(maxLength: 128, nullable: true),
            attempt = t.Column<int>(nullable: false),
            max_attempts = t.Column<int>(nullable: false),
            retry_delay_seconds = t.Column<int>(nullable: false),
            timeout_seconds = t.Column<int>(nullable: false),
            exit_code = t.Column<int>(nullable: true),
            reason = t.Column<string>(maxLength: 2048, nullable: true),
            cancel_requested = t.Column<bool>(nullable: false),
            submitted_by = t.Column<Guid>(nullable: true),
            created_at = t.Column<DateTime>(nullable: false),
            not_before = t.Column<DateTime>(nullable: false),
            started_at = t.Column<DateTime>(nullable: true),
            finished_at = t.Column<DateTime>(nullable: true),
            updated_at = t.Column<DateTime>(nullable: false),
            lease_owner = t.Column<string>(maxLength: 128, nullable: true),
            lease_expires_at = t.Column<DateTime>(nullable: true),
            assessment_id = t.Column<Guid>(nullable: true),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_jobs", x => x.id);
            t.ForeignKey("FK_jobs_projects_project_id", x => x.project_id, "projects", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("FK_jobs_tools_tool_id", x => x.tool_id, "tools", "id", onDelete: ReferentialAction.Restrict);
            t.ForeignKey("FK_jobs_sessions_session_id", x => x.session_id, "sessions", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("FK_jobs_scans_scan_id", x => x.scan_id, "scans", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("IX_jobs_state_not_before", "jobs", ["state", "not_before"]);
        m.CreateIndex("IX_jobs_project_id_created_at", "jobs", ["project_id", "created_at"]);
        m.CreateIndex("IX_jobs_session_id", "jobs", "session_id");
        m.CreateIndex("IX_jobs_scan_id", "jobs", "scan_id");
        m.CreateIndex("IX_jobs_tool_id", "jobs", "tool_id");

        m.CreateTable("job_events", t => new
        {
            id = t.Column<long>(nullable: false)
                .Annotation("Sqlite:Autoincrement", true)
                .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
            job_id = t.Column<Guid>(nullable: false),
            state = t.Column<string>(maxLength: 16, nullable: false),
            attempt = t.Column<int>(nullable: false),
            at = t.Column<DateTime>(nullable: false),
            detail = t.Column<string>(maxLength: 2048, nullable: true),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_job_events", x => x.id);
            t.ForeignKey("FK_job_events_jobs_job_id", x => x.job_id, "jobs", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("IX_job_events_job_id", "job_events", "job_id");

        m.CreateTable("job_log", t => new
        {
            id = t.Column<long>(nullable: false)
                .Annotation("Sqlite:Autoincrement", true)
                .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
            job_id = t.Column<Guid>(nullable: false),
            attempt = t.Column<int>(nullable: false),
            stream = t.Column<int>(nullable: false),
            at = t.Column<DateTime>(nullable: false),
            text = t.Column<string>(nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_job_log", x => x.id);
            t.ForeignKey("FK_job_log_jobs_job_id", x => x.job_id, "jobs", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("IX_job_log_job_id_id", "job_log", ["job_id", "id"]);

        m.CreateTable("assessment_types", t => new
        {
            name = t.Column<string>(maxLength: 128, nullable: false),
            schema = t.Column<string>(nullable: false),
            description = t.Column<string>(maxLength: 1024, nullable: true),
            created_at = t.Column<DateTime>(nullable: false),
            updated_at = t.Column<DateTime>(nullable: false),
        }, constraints: t => t.PrimaryKey("PK_assessment_types", x => x.name));

        m.CreateTable("assessments", t => new
        {
            id = t.Column<Guid>(nullable: false),
            project_id = t.Column<Guid>(nullable: false),
            subject_id = t.Column<Guid>(nullable: false),
            session_id = t.Column<Guid>(nullable: false),
            scan_id = t.Column<Guid>(nullable: true),
            type = t.Column<string>(maxLength: 128, nullable: false),
            values = t.Column<string>(nullable: false),
            tool_name = t.Column<string>(maxLength: 64, nullable: true),
            tool_version = t.Column<string>(maxLength: 64, nullable: true),
            job_id = t.Column<Guid>(nullable: true),
            created_at = t.Column<DateTime>(nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_assessments", x => x.id);
            t.ForeignKey("FK_assessments_projects_project_id", x => x.project_id, "projects", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("FK_assessments_subjects_subject_id", x => x.subject_id, "subjects", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("FK_assessments_sessions_session_id", x => x.session_id, "sessions", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("FK_assessments_scans_scan_id", x => x.scan_id, "scans", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("FK_assessments_assessment_types_type", x => x.type, "assessment_types", "name", onDelete: ReferentialAction.Restrict);
            t.ForeignKey("FK_assessments_jobs_job_id", x => x.job_id, "jobs", "id", onDelete: ReferentialAction.SetNull);
        });
        m.CreateIndex("IX_assessments_project_id_type", "assessments", ["project_id", "type"]);
        m.CreateIndex("IX_assessments_session_id", "assessments", "session_id");
        m.CreateIndex("IX_assessments_scan_id", "assessments", "scan_id");
        m.CreateIndex("IX_assessments_job_id", "assessments", "job_id");
        m.CreateIndex("IX_assessments_subject_id", "assessments", "subject_id");
        m.CreateIndex("IX_assessments_type", "assessments", "type");

        m.AddColumn<Guid>("job_id", "api_tokens", nullable: true);
        m.CreateIndex("IX_api_tokens_job_id", "api_tokens", "job_id");
    }
}
