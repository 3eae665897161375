"""Scanned reports read by OCR in the background, and how each report was read (#15).

Revision ID: d15a00000001
Revises: d14b00000002
Create Date: 2026-11-26 18:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d15a00000001"
down_revision = "d14b00000002"
branch_labels = None
depends_on = None


def upgrade():
    # A nullable column: ALTER TABLE ADD COLUMN on both engines, no rebuild of `reports`.
    op.add_column("reports", sa.Column("ocr", sa.JSON(), nullable=True))
    op.create_table(
        "scan_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "reading",
                "done",
                "failed",
                name="scan_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.JSON(), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_scan_imports_uploaded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_scan_imports_report_id_reports"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scan_imports")),
    )
    op.create_index(op.f("ix_scan_imports_content_hash"), "scan_imports", ["content_hash"])
    op.create_index(op.f("ix_scan_imports_uploaded_by_id"), "scan_imports", ["uploaded_by_id"])
    op.create_index(op.f("ix_scan_imports_report_id"), "scan_imports", ["report_id"])
    op.create_index("ix_scan_imports_status_created_at", "scan_imports", ["status", "created_at"])


def downgrade():
    op.drop_index("ix_scan_imports_status_created_at", table_name="scan_imports")
    op.drop_index(op.f("ix_scan_imports_report_id"), table_name="scan_imports")
    op.drop_index(op.f("ix_scan_imports_uploaded_by_id"), table_name="scan_imports")
    op.drop_index(op.f("ix_scan_imports_content_hash"), table_name="scan_imports")
    op.drop_table("scan_imports")
    op.drop_column("reports", "ocr")
