"""A few plotting primitives that write SVG text: panels side by side with shared limits, dots,
rings, crosses, framed axes with ticks, titles, and raster images (encoded as PNG here).

Why not matplotlib: the report's pictures are a handful of dots and images, and drawing them
with matplotlib (import, layout, rasterising, PNG) was about half of what a batch added per
submission on the cheap exercises. The pictures a report needs are simple enough to write out
as text, and SVG stays sharp at any zoom.
"""

from __future__ import annotations

import base64
import math
import struct
import zlib
from xml.sax.saxutils import escape

import numpy as np

FONT = "font-family='system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif'"
MARGIN = {"left": 46, "right": 10, "top": 24, "bottom": 36}   # pixels around each plot area
NO_AXES = {"left": 6, "right": 6, "top": 24, "bottom": 6}     # for images: no ticks to show


class Figure:
    """`panels` plots side by side, each `width` x `height` pixels (margins included)."""

    def __init__(self, panels: int, width: int = 300, height: int = 280, margin=MARGIN):
        self.width, self.height = width * panels, height
        self.panels = [Panel(i * width, width, height, margin) for i in range(panels)]

    def data_url(self) -> str:
        body = "".join(p.svg() for p in self.panels)
        svg = (f"<svg xmlns='http://www.w3.org/2000/svg' width='{self.width}' "
               f"height='{self.height}' viewBox='0 0 {self.width} {self.height}' {FONT}>"
               f"<rect width='100%' height='100%' fill='white'/>{body}</svg>")
        return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


class Panel:
    def __init__(self, left: int, width: int, height: int, margin=MARGIN):
        self.box = (left + margin["left"], margin["top"], width - margin["left"] - margin["right"],
                    height - margin["top"] - margin["bottom"])
        self.limits: tuple[float, float, float, float] | None = None   # x0, x1, y0, y1
        self.parts: list[str] = []
        self.title_text, self.labels = "", ("", "")

    # -- placing data ----------------------------------------------------------------------
    def set_limits(self, x0: float, x1: float, y0: float, y1: float) -> None:
        self.limits = (x0, x1, y0, y1)

    def _xy(self, points: np.ndarray) -> np.ndarray:
        x0, x1, y0, y1 = self.limits
        left, top, w, h = self.box
        px = left + (points[:, 0] - x0) / ((x1 - x0) or 1.0) * w
        py = top + h - (points[:, 1] - y0) / ((y1 - y0) or 1.0) * h
        return np.column_stack([px, py])

    def dots(self, points: np.ndarray, colours: list[str], size: float) -> None:
        """One dot per row, coloured per row: one path per colour, each dot a zero-length
        segment with a round cap (a tenth of the bytes of a <circle> per point)."""
        xy = self._xy(points)
        colours = np.asarray(colours)
        for colour in dict.fromkeys(colours.tolist()):
            mine = xy[colours == colour]
            # one %-format over all of them: a tenth of the time of one f-string per dot
            d = ("M%.1f %.1fh0" * len(mine)) % tuple(mine.ravel().tolist())
            self.parts.append(f"<path d='{d}' stroke='{colour}' stroke-width='{size:g}' "
                              "stroke-linecap='round' fill='none'/>")

    def rings(self, points: np.ndarray, radius: float, colour: str = "black",
              width: float = 0.8, opacity: float = 0.6) -> None:
        self.parts.append(f"<g fill='none' stroke='{colour}' stroke-width='{width:g}' "
                          f"opacity='{opacity:g}'>" + "".join(
                              f"<circle cx='{x:.1f}' cy='{y:.1f}' r='{radius:g}'/>"
                              for x, y in self._xy(points)) + "</g>")

    def crosses(self, points: np.ndarray, colours: list[str], size: float = 7,
                outline: str | None = "black") -> None:
        """Bold X markers (centres): an outline drawn first, then the colour over it."""
        for (x, y), colour in zip(self._xy(points), colours):
            d = f"M{x - size:.1f} {y - size:.1f}l{2 * size} {2 * size}m0 {-2 * size}" \
                f"l{-2 * size} {2 * size}"
            if outline:
                self.parts.append(f"<path d='{d}' stroke='{outline}' stroke-width='6' "
                                  "stroke-linecap='round'/>")
            self.parts.append(f"<path d='{d}' stroke='{colour}' stroke-width='3.5' "
                              "stroke-linecap='round'/>")

    def image(self, pixels: np.ndarray) -> None:
        """A raster image (H x W grey or H x W x 3/4, values 0..1) fitted into the panel."""
        left, top, w, h = self.box
        self.parts.append(f"<image x='{left}' y='{top}' width='{w}' height='{h}' "
                          "preserveAspectRatio='xMidYMid meet' style='image-rendering:pixelated' "
                          f"href='data:image/png;base64,{base64.b64encode(png(pixels)).decode()}'"
                          "/>")

    def title(self, text: str) -> None:
        self.title_text = text

    def axis_labels(self, x: str, y: str) -> None:
        self.labels = (x, y)

    # -- output ----------------------------------------------------------------------------
    def svg(self) -> str:
        left, top, w, h = self.box
        title = (f"<text x='{left + w / 2:.1f}' y='{top - 8}' text-anchor='middle' "
                 f"font-size='12'>{escape(self.title_text)}</text>") if self.title_text else ""
        clip = f"clip{left}"
        frame = "" if self.limits is None else self._frame()
        return (f"<clipPath id='{clip}'><rect x='{left}' y='{top}' width='{w}' "
                f"height='{h}'/></clipPath>{frame}<g clip-path='url(#{clip})'>"
                + "".join(self.parts) + f"</g>{title}")

    def _frame(self) -> str:
        left, top, w, h = self.box
        x0, x1, y0, y1 = self.limits
        out = [f"<rect x='{left}' y='{top}' width='{w}' height='{h}' fill='none' "
               "stroke='#444' stroke-width='0.8'/>"]
        for t in ticks(x0, x1):
            px = left + (t - x0) / ((x1 - x0) or 1.0) * w
            out.append(f"<path d='M{px:.1f} {top + h}v4' stroke='#444'/><text x='{px:.1f}' "
                       f"y='{top + h + 14}' text-anchor='middle' font-size='9'>{t:g}</text>")
        for t in ticks(y0, y1):
            py = top + h - (t - y0) / ((y1 - y0) or 1.0) * h
            out.append(f"<path d='M{left} {py:.1f}h-4' stroke='#444'/><text x='{left - 6}' "
                       f"y='{py + 3:.1f}' text-anchor='end' font-size='9'>{t:g}</text>")
        xlabel, ylabel = self.labels
        if xlabel:
            out.append(f"<text x='{left + w / 2:.1f}' y='{top + h + 30}' text-anchor='middle' "
                       f"font-size='10'>{escape(xlabel)}</text>")
        if ylabel:
            out.append(f"<text transform='translate({left - 34} {top + h / 2:.1f}) rotate(-90)' "
                       f"text-anchor='middle' font-size='10'>{escape(ylabel)}</text>")
        return "".join(out)


def ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values inside [low, high] (steps of 1, 2 or 5 times a power of ten)."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return []
    raw = (high - low) / count
    step = 10 ** math.floor(math.log10(raw))
    step *= next(m for m in (1, 2, 5, 10) if m * step >= raw)
    first = math.ceil(low / step)
    return [round(i * step, 12) for i in range(first, math.floor(high / step) + 1)]


def limits(*arrays: np.ndarray, pad: float = 0.05) -> tuple[float, float, float, float]:
    """x0, x1, y0, y1 around every point of `arrays` (N x 2), padded by `pad` of the range."""
    both = np.vstack([a for a in arrays if a is not None and len(a)])
    low, high = both.min(axis=0), both.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    low, high = low - pad * span, high + pad * span
    return float(low[0]), float(high[0]), float(low[1]), float(high[1])


def png(pixels: np.ndarray, max_side: int = 240) -> bytes:
    """A PNG of `pixels` (0..1, grey or RGB(A)), shrunk by striding to at most `max_side`."""
    step = max(1, math.ceil(max(pixels.shape[:2]) / max_side))
    pixels = pixels[::step, ::step]
    data = np.clip(np.round(pixels * 255), 0, 255).astype(np.uint8)
    colour_type = {2: 0, 3: {3: 2, 4: 6}.get(data.shape[-1], 0)}[data.ndim]
    height, width = data.shape[:2]
    rows = np.ascontiguousarray(data.reshape(height, -1))
    raw = np.hstack([np.zeros((height, 1), np.uint8), rows]).tobytes()   # filter 0 per row

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + \
            struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))

