"""text classification models (issue 3)

Revision ID: 0003
Revises: 0002
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401
from sqlalchemy import Text  # noqa: F401

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    # Reserved slot in the chain so parallel work does not create two heads; filled by text classification models (issue 3).
    return None


def downgrade():
    return None
