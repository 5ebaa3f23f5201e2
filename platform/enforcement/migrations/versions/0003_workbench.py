"""workbench: plans, tasks, inspection schemes, inspections, hazards, rectification

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('approved_by', sa.String(length=128), nullable=True),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('item_set_ids', sa.JSON(), nullable=False),
    sa.Column('selection_rule', sa.JSON(), nullable=False),
    sa.Column('random_seed', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=128), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by', sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_region_code'), ['region_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_year'), ['year'], unique=False)

    op.create_table('task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=128), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by', sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], ),
    sa.ForeignKeyConstraint(['parent_id'], ['task.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index('ix_task_region_due', ['region_code', 'due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_status'), ['status'], unique=False)

    op.create_table('inspection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('participants', sa.JSON(), nullable=False),
    sa.Column('answer_set_id', sa.Integer(), nullable=True),
    sa.Column('answer_set_ids', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=128), nullable=True),
    sa.Column('updated_by', sa.String(length=128), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['answer_set_id'], ['answer_set.id'], ),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], ),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_answer_set_id'), ['answer_set_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_region_code'), ['region_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_task_id'), ['task_id'], unique=False)

    op.create_table('inspection_scheme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('plugin_ids', sa.JSON(), nullable=False),
    sa.Column('item_ids', sa.JSON(), nullable=False),
    sa.Column('methods', sa.JSON(), nullable=False),
    sa.Column('scheduled_on', sa.Date(), nullable=True),
    sa.Column('schedule', sa.Text(), nullable=True),
    sa.Column('team', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('compiled_by', sa.String(length=128), nullable=True),
    sa.Column('approved_by', sa.String(length=128), nullable=True),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('inspection_scheme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_scheme_region_code'), ['region_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_scheme_task_id'), ['task_id'], unique=False)

    op.create_table('task_enforcer',
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('enforcer_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['enforcer_id'], ['enforcer.id'], ),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('task_id', 'enforcer_id')
    )
    with op.batch_alter_table('task_enforcer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_enforcer_enforcer_id'), ['enforcer_id'], unique=False)

    op.create_table('rectification_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('completion_reported_on', sa.Date(), nullable=True),
    sa.Column('recheck_task_id', sa.Integer(), nullable=True),
    sa.Column('issued_by', sa.String(length=128), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], ),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], ),
    sa.ForeignKeyConstraint(['recheck_task_id'], ['task.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('rectification_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectification_order_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectification_order_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectification_order_region_code'), ['region_code'], unique=False)

    op.create_table('hazard',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('plugin_id', sa.String(length=120), nullable=False),
    sa.Column('plugin_version', sa.String(length=32), nullable=False),
    sa.Column('item_id', sa.String(length=160), nullable=False),
    sa.Column('item_code', sa.String(length=32), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('equipment_id', sa.Integer(), nullable=True),
    sa.Column('equipment_name', sa.String(length=200), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('illegal_basis', sa.Text(), nullable=True),
    sa.Column('penalty_basis', sa.Text(), nullable=True),
    sa.Column('is_major', sa.Boolean(), nullable=False),
    sa.Column('suggestion', sa.JSON(), nullable=True),
    sa.Column('measure', sa.String(length=16), nullable=True),
    sa.Column('measure_confirmed', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('rectified_on', sa.Date(), nullable=True),
    sa.Column('verified_by_task_id', sa.Integer(), nullable=True),
    sa.Column('rectification_order_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], ),
    sa.ForeignKeyConstraint(['equipment_id'], ['equipment.id'], ),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], ),
    sa.ForeignKeyConstraint(['rectification_order_id'], ['rectification_order.id'], ),
    sa.ForeignKeyConstraint(['verified_by_task_id'], ['task.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('hazard', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hazard_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hazard_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hazard_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hazard_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hazard_rectification_order_id'), ['rectification_order_id'], unique=False)
        batch_op.create_index('ix_hazard_region_status', ['region_code', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('hazard', schema=None) as batch_op:
        batch_op.drop_index('ix_hazard_region_status')
        batch_op.drop_index(batch_op.f('ix_hazard_rectification_order_id'))
        batch_op.drop_index(batch_op.f('ix_hazard_item_id'))
        batch_op.drop_index(batch_op.f('ix_hazard_inspection_id'))
        batch_op.drop_index(batch_op.f('ix_hazard_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_hazard_case_id'))

    op.drop_table('hazard')
    with op.batch_alter_table('rectification_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rectification_order_region_code'))
        batch_op.drop_index(batch_op.f('ix_rectification_order_inspection_id'))
        batch_op.drop_index(batch_op.f('ix_rectification_order_enterprise_id'))

    op.drop_table('rectification_order')
    with op.batch_alter_table('task_enforcer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_enforcer_enforcer_id'))

    op.drop_table('task_enforcer')
    with op.batch_alter_table('inspection_scheme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_scheme_task_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_scheme_region_code'))

    op.drop_table('inspection_scheme')
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_task_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_region_code'))
        batch_op.drop_index(batch_op.f('ix_inspection_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_answer_set_id'))

    op.drop_table('inspection')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_status'))
        batch_op.drop_index('ix_task_region_due')
        batch_op.drop_index(batch_op.f('ix_task_plan_id'))
        batch_op.drop_index(batch_op.f('ix_task_parent_id'))
        batch_op.drop_index(batch_op.f('ix_task_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_task_deleted_at'))

    op.drop_table('task')
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_year'))
        batch_op.drop_index(batch_op.f('ix_plan_status'))
        batch_op.drop_index(batch_op.f('ix_plan_region_code'))
        batch_op.drop_index(batch_op.f('ix_plan_department_id'))
        batch_op.drop_index(batch_op.f('ix_plan_deleted_at'))

    op.drop_table('plan')
