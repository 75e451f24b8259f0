"""indicator rollups and publications (issue 5)

Revision ID: 0004
Revises: 0003
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401
from sqlalchemy import Text  # noqa: F401

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    # Reserved slot in the chain so parallel work does not create two heads; filled by indicator rollups and publications (issue 5).
    return None


def downgrade():
    return None
