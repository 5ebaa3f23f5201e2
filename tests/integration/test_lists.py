"""Every list page of the maintenance menu: each column offered for sorting sorts."""

from __future__ import annotations

from typing import Any

import pytest

from enforcement.web.base import ChineseModelView

pytestmark = pytest.mark.shares_demo_db


def test_every_sortable_list_column_sorts_without_error(app: Any, as_user: Any) -> None:
    client = as_user("admin")
    views = [v for v in app.appbuilder.baseviews if isinstance(v, ChineseModelView)]
    assert len(views) >= 6
    failures = []
    for view in views:
        name = type(view).__name__
        assert view.order_columns, f"{name} offers no column for sorting"
        for column in view.order_columns:
            for direction in ("asc", "desc"):
                # One row per page: the ORDER BY still runs on the whole table, the page renders less.
                url = (
                    f"{view.route_base}/list/?_oc_{name}={column}&_od_{name}={direction}"
                    f"&psize_{name}=1"
                )
                response = client.get(url)
                if response.status_code != 200:
                    failures.append(f"{url}: {response.status_code}")
    assert failures == []


def test_label_columns_are_shown_but_not_offered_for_sorting(app: Any) -> None:
    enterprise_view = next(
        v for v in app.appbuilder.baseviews if type(v).__name__ == "EnterpriseView"
    )
    assert "sector_label" in enterprise_view.list_columns
    assert "sector_label" not in enterprise_view.order_columns
    assert "name" in enterprise_view.order_columns
