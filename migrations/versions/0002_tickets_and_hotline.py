"""tickets and 12345 cases (issue 4)

Revision ID: 0002
Revises: 0001
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401
from sqlalchemy import Text  # noqa: F401

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    # Reserved slot in the chain so parallel work does not create two heads; filled by tickets and 12345 cases (issue 4).
    return None


def downgrade():
    return None
