"""A finger on a touch screen, for browser tests on the phone viewport."""

from __future__ import annotations

from typing import Any


def draw_with_finger(page: Any, selector: str) -> None:
    """A zigzag stroke as real touch events (CDP Input.dispatchTouchEvent), like a finger."""
    box = page.locator(selector).bounding_box()
    assert box is not None
    cdp = page.context.new_cdp_session(page)
    x0, y0 = box["x"] + 20, box["y"] + box["height"] / 2
    points = [(x0 + 12 * n, y0 + (25 if n % 2 else -25)) for n in range(20)]
    finger = {"id": 1, "radiusX": 4, "radiusY": 4, "force": 1}
    touch = {"type": "touchStart", "touchPoints": [{**finger, "x": x0, "y": y0}]}
    cdp.send("Input.dispatchTouchEvent", touch)
    for x, y in points:
        touch = {"type": "touchMove", "touchPoints": [{**finger, "x": x, "y": y}]}
        cdp.send("Input.dispatchTouchEvent", touch)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()
    # The finger is lifted; a tap at once would read as the same gesture's second touch.
    page.wait_for_timeout(600)
