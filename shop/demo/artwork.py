"""Demo artwork for products and pages, drawn with Pillow only.

Flat illustrations in the site's Baikal palette (lake blue/teal, ice white,
sunrise amber, gingerbread brown, pine green). No downloads and no fonts are
needed. Every picture is deterministic: the same ``name`` and ``size`` always
give the same PNG bytes.

    >>> from shop.demo.artwork import render, ARTWORK_NAMES
    >>> png = render("nerpa")                 # 1200x800 PNG bytes
    >>> png = render("hero")                  # 1600x700 (wide) by default
    >>> png = render("sunrise", size=(800, 600))

Long on purpose: one small drawing function per picture, like a data file; development and
demos only.
"""

from __future__ import annotations

import io
import math
import random
import zlib

from PIL import Image, ImageChops, ImageDraw, ImageFilter

__all__ = ["ARTWORK_NAMES", "DEFAULT_SIZE", "DEFAULT_SIZES", "render"]

ARTWORK_NAMES = ("nerpa", "giftbox", "giftset", "astral", "sunrise", "event", "college", "hero")
DEFAULT_SIZE = (1200, 800)
DEFAULT_SIZES = {"hero": (1600, 700)}

SS = 2  # supersampling factor: draw big, scale down for smooth edges

# Palette -----------------------------------------------------------------
LAKE_DEEP = (12, 59, 84)
LAKE = (18, 96, 122)
TEAL = (22, 128, 140)
ICE = (232, 244, 248)
ICE_BLUE = (160, 214, 228)
AMBER = (245, 166, 35)
GOLD = (255, 204, 102)
SUN = (255, 236, 179)
GINGER = (196, 124, 58)
GINGER_LIGHT = (226, 164, 92)
GINGER_DARK = (122, 66, 28)
PINE = (31, 94, 67)
PINE_DARK = (18, 61, 45)
STRAWBERRY = (214, 52, 71)
CREAM = (253, 246, 232)
WHITE = (255, 255, 255)


def _lerp(a, b, t):
    return tuple(int(round(a[i] + (b[i] - a[i]) * t)) for i in range(3))


def _mix(c, other, t):
    return _lerp(c, other, t)


def _grad_color(stops, t):
    if t <= stops[0][0]:
        return stops[0][1]
    for (p0, c0), (p1, c1) in zip(stops, stops[1:], strict=False):
        if p0 <= t <= p1:
            return _lerp(c0, c1, (t - p0) / max(p1 - p0, 1e-6))
    return stops[-1][1]


def _vgrad(w, h, stops):
    col = Image.new("RGB", (1, 256))
    col.putdata([_grad_color(stops, y / 255) for y in range(256)])
    return col.resize((max(1, w), max(1, h)), Image.BILINEAR)


def _ellipse_pts(cx, cy, a, b, angle=0.0, n=48):
    ca, sa = math.cos(angle), math.sin(angle)
    pts = []
    for i in range(n):
        t = 2 * math.pi * i / n
        x, y = a * math.cos(t), b * math.sin(t)
        pts.append((cx + x * ca - y * sa, cy + x * sa + y * ca))
    return pts


class Canvas:
    """An RGB picture drawn at ``SS`` times the output size."""

    def __init__(self, size, seed):
        self.size = size
        self.w, self.h = size[0] * SS, size[1] * SS
        self.img = Image.new("RGB", (self.w, self.h), ICE)
        self.d = ImageDraw.Draw(self.img)
        self.rng = random.Random(seed)

    # -- helpers -----------------------------------------------------------
    def mask(self):
        m = Image.new("L", (self.w, self.h), 0)
        return m, ImageDraw.Draw(m)

    def fill(self, mask, color, opacity=1.0, offset=(0, 0)):
        if opacity < 1:
            mask = mask.point(lambda v: int(v * opacity))
        if offset != (0, 0):
            moved = Image.new("L", mask.size, 0)
            moved.paste(mask, (int(offset[0]), int(offset[1])))
            mask = moved
        bb = mask.getbbox()
        if bb:
            self.img.paste(color, bb, mask.crop(bb))

    def sub(self, x0, y0, x1, y1):
        """A child canvas over a region; draw on it, then ``commit()``."""
        x0, y0 = max(0, int(x0)), max(0, int(y0))
        x1, y1 = min(self.w, int(x1)), min(self.h, int(y1))
        c = Canvas.__new__(Canvas)
        c.size = (x1 - x0, y1 - y0)
        c.w, c.h = max(x1 - x0, 4), max(y1 - y0, 4)
        c.img = self.img.crop((x0, y0, x0 + c.w, y0 + c.h))
        c.d = ImageDraw.Draw(c.img)
        c.rng = self.rng
        c.origin = (x0, y0)
        c.parent = self
        return c

    def commit(self):
        self.parent.img.paste(self.img, self.origin)

    def paste_image(self, src, mask):
        self.img.paste(src, (0, 0), mask)

    def soft(self, mask, radius, factor=4):
        """Blur a mask cheaply: shrink, blur, grow back."""
        small = mask.reduce(factor)
        small = small.filter(ImageFilter.GaussianBlur(max(radius / factor, 0.5)))
        return small.resize((self.w, self.h), Image.BILINEAR)

    def shadow(self, mask, radius, opacity=0.3, offset=(0, 0), color=(20, 30, 40)):
        self.fill(self.soft(mask, radius), color, opacity, offset)

    def glow(self, cx, cy, r, color, strength=1.0, power=1.6):
        r = int(r)
        if r < 2:
            return
        g = Image.radial_gradient("L").point(  # 181 = value at radius 128
            lambda v: int(255 * strength * max(0.0, 1 - v / 181) ** power)
        )
        g = g.resize((2 * r, 2 * r), Image.BILINEAR)
        self.img.paste(color, (int(cx) - r, int(cy) - r), g)

    def bg(self, stops):
        self.img.paste(_vgrad(self.w, self.h, stops), (0, 0))

    def png(self):
        out = self.img.resize(self.size, Image.LANCZOS)
        buf = io.BytesIO()
        out.save(buf, format="PNG", compress_level=6)
        return buf.getvalue()


# Shapes -----------------------------------------------------------------


def _ridge(rng, x0, x1, y, amp, n=7, rough=0.55, peaks=None):
    """Mountain ridge by midpoint displacement: list of (x, y) from x0 to x1."""
    pts = [(x0, y + rng.uniform(-amp, amp) * 0.3), (x1, y + rng.uniform(-amp, amp) * 0.3)]
    a = amp
    for _ in range(n):
        new = []
        for (xa, ya), (xb, yb) in zip(pts, pts[1:], strict=False):
            new.append((xa, ya))
            new.append(((xa + xb) / 2, (ya + yb) / 2 + rng.uniform(-a, a)))
        new.append(pts[-1])
        pts = new
        a *= rough
    if peaks:
        out = []
        for x, yy in pts:
            for px, py, pw in peaks:
                k = max(0.0, 1 - abs(x - px) / pw)
                yy -= py * (k**1.5)
            out.append((x, yy))
        pts = out
    return pts


def _mountains(cv, pts, color, snow=None, snowline=None, shade=0.18, light=None):
    h = cv.h
    poly = pts + [(pts[-1][0], h + 10), (pts[0][0], h + 10)]
    cv.d.polygon(poly, fill=color)
    m, md = cv.mask()
    md.polygon(poly, fill=255)
    # Facets: shade the right side of each peak.
    sm, sd = cv.mask()
    for i in range(2, len(pts) - 2, 3):
        x, y = pts[i]
        if y <= pts[i - 2][1] and y <= pts[i + 2][1]:
            base = y + (h - y) * 0.9
            sd.polygon(
                [(x, y), (x + (base - y) * 0.9, base), (x + (base - y) * 0.15, base)], fill=255
            )
    sm = ImageChops.multiply(sm, m)
    cv.fill(sm, _mix(color, (10, 20, 45), 0.5), shade)
    if snow and snowline is not None:
        rng = cv.rng
        s, sdraw = cv.mask()
        wave = [(0, snowline)]
        x = 0
        while x < cv.w:
            x += cv.w / 60
            wave.append((x, snowline + rng.uniform(-1, 1) * cv.h * 0.02))
        sdraw.polygon(wave + [(cv.w, 0), (0, 0)], fill=255)
        s = ImageChops.multiply(s, m)
        cv.fill(s, snow)
        cv.fill(ImageChops.multiply(s, sm), _mix(snow, (90, 110, 160), 0.6), 0.45)
    return m


def _pine(d, x, y, h, color=PINE, trunk=GINGER_DARK):
    w = h * 0.42
    d.rectangle([x - h * 0.03, y - h * 0.18, x + h * 0.03, y], fill=trunk)
    for _i, (top, bot, ww) in enumerate(((0.0, 0.42, 0.55), (0.22, 0.68, 0.8), (0.45, 0.9, 1.0))):
        d.polygon(
            [(x, y - h + top * h), (x + w * ww, y - h + bot * h), (x - w * ww, y - h + bot * h)],
            fill=color,
        )


def _birch(d, x, y, h, leaf=(120, 170, 80)):
    tw = h * 0.045
    d.rectangle([x - tw, y - h * 0.75, x + tw, y], fill=(245, 245, 240))
    for k in range(6):
        yy = y - h * (0.1 + 0.1 * k)
        d.rectangle(
            [x - tw, yy, x + tw * (0.2 if k % 2 else -0.1), yy + h * 0.015], fill=(40, 40, 40)
        )
    for dx, dy, r in ((0, -0.78, 0.2), (-0.15, -0.65, 0.16), (0.15, -0.64, 0.17), (0, -0.55, 0.14)):
        d.ellipse(
            [x + dx * h - r * h, y + dy * h - r * h, x + dx * h + r * h, y + dy * h + r * h],
            fill=leaf,
        )


def _cloud(cv, x, y, s, color=WHITE, opacity=0.95):
    m, d = cv.mask()
    for dx, dy, r in (
        (0, 0, 0.5),
        (0.55, 0.1, 0.38),
        (-0.55, 0.12, 0.36),
        (0.25, -0.25, 0.4),
        (-0.25, -0.15, 0.35),
    ):
        d.ellipse(
            [x + (dx - r) * s, y + (dy - r) * s, x + (dx + r) * s, y + (dy + r) * s], fill=255
        )
    d.rectangle([x - 0.9 * s, y + 0.1 * s, x + 0.93 * s, y + 0.5 * s], fill=0)
    cv.fill(m, color, opacity)


def _person(
    d, x, y, h, body, skin=(240, 200, 165), hat=None, arm_up=False, legs=(50, 60, 80), flag=None
):
    hw = h * 0.15
    # legs
    d.rounded_rectangle([x - hw * 0.8, y - h * 0.38, x - hw * 0.1, y], radius=hw * 0.3, fill=legs)
    d.rounded_rectangle([x + hw * 0.1, y - h * 0.38, x + hw * 0.8, y], radius=hw * 0.3, fill=legs)
    # arms
    if arm_up:
        d.line(
            [(x + hw * 0.8, y - h * 0.68), (x + hw * 1.6, y - h * 1.0)],
            fill=body,
            width=int(hw * 0.55),
        )
        if flag:
            d.line(
                [(x + hw * 1.6, y - h * 0.9), (x + hw * 1.7, y - h * 1.35)],
                fill=(90, 70, 50),
                width=max(2, int(hw * 0.15)),
            )
            d.polygon(
                [
                    (x + hw * 1.7, y - h * 1.35),
                    (x + hw * 3.0, y - h * 1.25),
                    (x + hw * 1.7, y - h * 1.15),
                ],
                fill=flag,
            )
    # torso
    d.rounded_rectangle([x - hw, y - h * 0.78, x + hw, y - h * 0.3], radius=hw * 0.7, fill=body)
    # head
    r = h * 0.11
    d.ellipse([x - r, y - h * 0.8 - 2 * r, x + r, y - h * 0.8], fill=skin)
    if hat:
        d.chord(
            [x - r * 1.05, y - h * 0.8 - 2.2 * r, x + r * 1.05, y - h * 0.8 - 0.4 * r],
            180,
            360,
            fill=hat,
        )
        d.ellipse(
            [x - r * 0.3, y - h * 0.8 - 2.6 * r, x + r * 0.3, y - h * 0.8 - 2.0 * r], fill=hat
        )


def _water_lines(cv, y0, y1, color, n, opacity=0.35, xspan=(0, 1), maxlen=0.08):
    rng = cv.rng
    m, d = cv.mask()
    for _ in range(n):
        y = rng.uniform(y0, y1)
        t = (y - y0) / max(y1 - y0, 1)
        ln = cv.w * rng.uniform(0.01, maxlen) * (0.5 + t)
        x = rng.uniform(xspan[0] * cv.w, xspan[1] * cv.w)
        d.line([(x, y), (x + ln, y)], fill=255, width=max(2, int(cv.h * 0.003 * (0.6 + t))))
    cv.fill(m, color, opacity)


def _sun_path(cv, x, y0, y1, color, width):
    rng = cv.rng
    m, d = cv.mask()
    y = y0
    while y < y1:
        t = (y - y0) / max(y1 - y0, 1)
        ww = width * (0.3 + t) * rng.uniform(0.4, 1.0)
        xx = x + rng.uniform(-0.3, 0.3) * width * t
        d.line(
            [(xx - ww, y), (xx + ww, y)], fill=255, width=max(2, int(cv.h * (0.002 + 0.004 * t)))
        )
        y += cv.h * (0.006 + 0.012 * t)
    cv.fill(m, color, 0.7)


def _stars(cv, n, ymax, seed_shift=0):
    rng = cv.rng
    for _ in range(n):
        x, y = rng.uniform(0, cv.w), rng.uniform(0, ymax) ** 1.0
        y = ymax * (rng.random() ** 1.4)
        r = cv.h * rng.choice((0.0012, 0.0016, 0.002, 0.0028))
        c = rng.choice(((255, 255, 255), (255, 240, 200), (210, 230, 255)))
        cv.d.ellipse([x - r, y - r, x + r, y + r], fill=c)
        if r > cv.h * 0.0025:
            cv.glow(x, y, r * 6, c, 0.5)


def _ice(cv, y_top, y_bot, rng, tint=ICE_BLUE):
    """Baikal ice slabs with cracks, from y_top down to y_bot."""
    w = cv.w
    cv.d.rectangle([0, y_top, w, y_bot], fill=_mix(tint, WHITE, 0.35))
    m, d = cv.mask()
    crack, cd = cv.mask()
    for _ in range(14):
        x = rng.uniform(0, w)
        y = rng.uniform(y_top, y_bot)
        pts = [(x, y)]
        for _ in range(5):
            x += rng.uniform(-0.08, 0.08) * w
            y += rng.uniform(-0.02, 0.05) * (y_bot - y_top)
            pts.append((x, y))
        cd.line(pts, fill=255, width=max(2, int(cv.h * 0.003)))
    # darker clear-ice patches
    for _ in range(9):
        x = rng.uniform(0, w)
        y = rng.uniform(y_top + (y_bot - y_top) * 0.15, y_bot)
        rx = rng.uniform(0.06, 0.16) * w
        ry = rx * 0.18
        d.polygon(_ellipse_pts(x, y, rx, ry, rng.uniform(-0.1, 0.1), 9), fill=255)
    cv.fill(cv.soft(m, cv.h * 0.01), _mix(tint, LAKE, 0.45), 0.55)
    cv.fill(crack, WHITE, 0.85)


def _hummocks(cv, x, y, s, rng, tint=ICE_BLUE):
    """Ice hummocks (toros): tilted translucent turquoise slabs."""
    for i in range(5):
        cx = x + (i - 2) * s * rng.uniform(0.25, 0.35)
        hh = s * rng.uniform(0.35, 0.7)
        ww = s * rng.uniform(0.18, 0.3)
        lean = rng.uniform(-0.25, 0.25) * s
        poly = [
            (cx - ww, y),
            (cx - ww * 0.6 + lean, y - hh),
            (cx + ww * 0.5 + lean, y - hh * 0.85),
            (cx + ww, y),
        ]
        m, d = cv.mask()
        d.polygon(poly, fill=255)
        cv.shadow(m, s * 0.05, 0.25, (s * 0.06, s * 0.03), (30, 70, 100))
        cv.d.polygon(poly, fill=_mix(tint, TEAL, 0.25))
        cv.d.polygon(
            [poly[1], poly[2], ((poly[2][0] + poly[3][0]) / 2, (poly[2][1] + poly[3][1]) / 2)],
            fill=_mix(tint, WHITE, 0.6),
        )
        cv.d.line(
            [poly[0], poly[1], poly[2]], fill=_mix(tint, WHITE, 0.8), width=max(2, int(s * 0.015))
        )


# The nerpa gingerbread ---------------------------------------------------


def _nerpa_mask(cv, cx, cy, L, angle=0.0, flip=False):
    """Silhouette of a cute Baikal seal lying on its belly, facing right."""
    m, d = cv.mask()
    ca, sa = math.cos(angle), math.sin(angle)
    fx = -1 if flip else 1

    def P(x, y):
        x *= fx
        return (cx + (x * ca - y * sa) * L, cy + (x * sa + y * ca) * L)

    p0, p1, p2 = (-0.40, 0.03), (0.02, 0.22), (0.30, -0.06)
    for i in range(61):
        t = i / 60
        x = (1 - t) ** 2 * p0[0] + 2 * (1 - t) * t * p1[0] + t * t * p2[0]
        y = (1 - t) ** 2 * p0[1] + 2 * (1 - t) * t * p1[1] + t * t * p2[1]
        r = 0.045 + 0.165 * math.sin(math.pi * min(t, 0.97) ** 0.75)
        k = min(1.0, max(0.0, (t - 0.55) / 0.35))
        r = max(r, 0.135 * k * k * (3 - 2 * k)) * L
        px, py = P(x, y)
        d.ellipse([px - r, py - r, px + r, py + r], fill=255)
    # head
    hx, hy = P(0.33, -0.11)
    r = 0.165 * L
    d.ellipse([hx - r, hy - r, hx + r, hy + r], fill=255)
    # snout
    sx, sy = P(0.45, -0.07)
    r2 = 0.07 * L
    d.ellipse([sx - r2, sy - r2, sx + r2, sy + r2], fill=255)

    def flipper(x, y, a, b, ang):
        px, py = P(x, y)
        d.polygon(
            _ellipse_pts(px, py, a * L, b * L, angle + (ang if not flip else math.pi - ang)),
            fill=255,
        )

    flipper(-0.5, -0.05, 0.12, 0.05, -0.7)
    flipper(-0.5, 0.1, 0.12, 0.05, 0.7)
    flipper(0.08, 0.25, 0.1, 0.045, 1.1)
    return m, P


def _gingerbread(cv, cx, cy, L, angle=0.0, flip=False, shadow=0.35, icing=True):
    sub = cv.sub(cx - 0.8 * L, cy - 0.8 * L, cx + 0.8 * L, cy + 0.8 * L)
    ox, oy = sub.origin
    _gingerbread_local(sub, cx - ox, cy - oy, L, angle, flip, shadow, icing)
    sub.commit()


def _gingerbread_local(cv, cx, cy, L, angle, flip, shadow, icing):
    rng = cv.rng
    m, P = _nerpa_mask(cv, cx, cy, L, angle, flip)
    bbox = m.getbbox()
    if not bbox:
        return
    # shadow and baked thickness
    cv.shadow(m, L * 0.05, shadow, (L * 0.015, L * 0.045), (60, 35, 20))
    cv.fill(m, GINGER_DARK, 1.0, (0, L * 0.025))
    # top: warm gradient + highlight
    x0, y0, x1, y1 = bbox
    top = _vgrad(
        x1 - x0, y1 - y0, [(0, GINGER_LIGHT), (0.6, GINGER), (1, _mix(GINGER, GINGER_DARK, 0.35))]
    )
    full = Image.new("RGB", (cv.w, cv.h), GINGER)
    full.paste(top, (x0, y0))
    cv.paste_image(full, m)
    hx, hy = P(0.05, -0.02)
    hl = Image.new("RGB", (cv.w, cv.h), (0, 0, 0))
    g = (
        Image.radial_gradient("L")
        .point(lambda v: int(170 * max(0.0, 1 - v / 181) ** 1.5))
        .resize((int(L * 0.7), int(L * 0.45)))
    )
    gl = Image.new("L", (cv.w, cv.h), 0)
    gl.paste(g, (int(hx - L * 0.35), int(hy - L * 0.3)))
    cv.fill(ImageChops.multiply(gl, m), (250, 205, 140), 0.7)
    del hl
    # baked rim: darker band just inside the edge
    blurred = cv.soft(m, L * 0.03)
    rim = ImageChops.subtract(m, blurred)
    cv.fill(rim, GINGER_DARK, 0.55)
    # pores
    pores, pd = cv.mask()
    for _ in range(90):
        x = rng.uniform(x0, x1)
        y = rng.uniform(y0, y1)
        r = L * rng.uniform(0.003, 0.007)
        pd.ellipse([x - r, y - r, x + r, y + r], fill=255)
    cv.fill(ImageChops.multiply(pores, m), GINGER_DARK, 0.4)
    if not icing:
        return
    # icing outline: a contour inset from the edge
    wide = cv.soft(m, L * 0.045)
    ring = wide.point(lambda v: 255 if 200 < v < 228 else 0)
    ring = ring.filter(ImageFilter.GaussianBlur(1.2)).point(lambda v: 255 if v > 110 else 0)
    cv.fill(ring, (150, 95, 60), 0.5, (L * 0.004, L * 0.006))
    cv.fill(ring, (255, 252, 246))
    d = cv.d
    lw = max(2, int(L * 0.014))
    # belly waves
    pts = []
    for i in range(30):
        t = i / 29
        x = -0.28 + 0.46 * t
        y = 0.1 + 0.05 * math.sin(t * math.pi) - 0.015 * math.sin(t * math.pi * 6)
        pts.append(P(x, y - 0.02))
    d.line(pts, fill=(255, 252, 246), width=lw, joint="curve")
    # dots along the back
    for x, y in ((-0.2, -0.01), (-0.1, -0.05), (0.0, -0.07), (0.1, -0.07)):
        px, py = P(x, y)
        r = L * 0.014
        d.ellipse([px - r, py - r, px + r, py + r], fill=(255, 252, 246))
    # face
    ex, ey = P(0.37, -0.15)
    r = L * 0.042
    d.ellipse([ex - r, ey - r, ex + r, ey + r], fill=(255, 252, 246))
    r2 = L * 0.03
    d.ellipse(
        [
            ex - r2 + L * 0.006 * (-1 if flip else 1),
            ey - r2 + L * 0.004,
            ex + r2 + L * 0.006 * (-1 if flip else 1),
            ey + r2 + L * 0.004,
        ],
        fill=(45, 25, 18),
    )
    r3 = L * 0.01
    d.ellipse(
        [
            ex - r3 + L * 0.012 * (-1 if flip else 1),
            ey - r3 - L * 0.006,
            ex + r3 + L * 0.012 * (-1 if flip else 1),
            ey + r3 - L * 0.006,
        ],
        fill=WHITE,
    )
    nx, ny = P(0.5, -0.085)
    rn = L * 0.018
    d.ellipse([nx - rn, ny - rn * 0.8, nx + rn, ny + rn * 0.8], fill=(60, 30, 20))
    cx2, cy2 = P(0.36, -0.05)
    rc = L * 0.028
    blush, bd = cv.mask()
    bd.ellipse([cx2 - rc, cy2 - rc * 0.7, cx2 + rc, cy2 + rc * 0.7], fill=255)
    cv.fill(blush, STRAWBERRY, 0.45)
    # smile
    a, b = P(0.43, -0.04), P(0.49, -0.05)
    mid = P(0.46, -0.025)
    d.line([a, mid, b], fill=(255, 252, 246), width=max(2, int(lw * 0.7)), joint="curve")
    # whisker dots
    for x, y in ((0.47, -0.06), (0.5, -0.055), (0.485, -0.035)):
        px, py = P(x, y)
        r = L * 0.007
        d.ellipse([px - r, py - r, px + r, py + r], fill=(255, 252, 246))


def _strawberry(cv, x, y, s, angle=0.0):
    d = cv.d
    pts = []
    for i in range(40):
        t = 2 * math.pi * i / 40
        rx = s * (0.5 + 0.1 * math.cos(t))
        yy = math.sin(t)
        r = s * 0.5 * (1 - 0.35 * max(0, yy))
        pts.append((math.cos(t) * r, yy * s * 0.55))
    ca, sa = math.cos(angle), math.sin(angle)
    rot = [(x + px * ca - py * sa, y + px * sa + py * ca) for px, py in pts]
    m, md = cv.mask()
    md.polygon(rot, fill=255)
    cv.shadow(m, s * 0.12, 0.25, (s * 0.05, s * 0.08))
    d.polygon(rot, fill=STRAWBERRY)
    cv.fill(
        ImageChops.multiply(cv.soft(m, s * 0.25).point(lambda v: 255 - v), m), (150, 20, 40), 0.5
    )
    rng = cv.rng
    for _ in range(12):
        px, py = rng.uniform(-0.3, 0.3) * s, rng.uniform(-0.3, 0.3) * s
        rx, ry = x + px * ca - py * sa, y + px * sa + py * ca
        r = s * 0.025
        d.ellipse([rx - r, ry - r * 1.4, rx + r, ry + r * 1.4], fill=(255, 220, 120))
    for k in range(5):
        a = angle - math.pi / 2 + (k - 2) * 0.5
        bx, by = (
            x + math.cos(angle - math.pi / 2) * s * 0.5,
            y + math.sin(angle - math.pi / 2) * s * 0.5,
        )
        d.polygon(
            _ellipse_pts(
                bx + math.cos(a) * s * 0.12, by + math.sin(a) * s * 0.12, s * 0.16, s * 0.05, a, 12
            ),
            fill=(70, 150, 70),
        )


def _cedar_nut(cv, x, y, s, angle):
    d = cv.d
    pts = []
    for i in range(24):
        t = 2 * math.pi * i / 24
        r = s * (0.5 - 0.18 * math.cos(t))
        pts.append((math.cos(t) * r, math.sin(t) * r * 0.62))
    ca, sa = math.cos(angle), math.sin(angle)
    rot = [(x + px * ca - py * sa, y + px * sa + py * ca) for px, py in pts]
    d.polygon(rot, fill=(140, 90, 55))
    d.line(rot[18:] + rot[:3], fill=(190, 140, 95), width=max(2, int(s * 0.08)))
    d.ellipse([x - s * 0.12, y - s * 0.12, x + s * 0.12, y + s * 0.12], fill=(110, 70, 40))


def _sprig(cv, x, y, length, angle, color=PINE):
    d = cv.d
    ca, sa = math.cos(angle), math.sin(angle)
    ex, ey = x + ca * length, y + sa * length
    d.line([(x, y), (ex, ey)], fill=(110, 75, 45), width=max(2, int(length * 0.025)))
    n = 26
    for i in range(n):
        t = (i + 2) / (n + 2)
        bx, by = x + ca * length * t, y + sa * length * t
        nl = length * 0.16 * (1 - 0.5 * t)
        for side in (-1, 1):
            a = angle + side * 0.9
            d.line(
                [(bx, by), (bx + math.cos(a) * nl, by + math.sin(a) * nl)],
                fill=_mix(color, (0, 0, 0), 0.15 * (i % 2)),
                width=max(2, int(length * 0.012)),
            )


# Scenes -----------------------------------------------------------------


def _scene_nerpa(cv):
    w, h = cv.w, cv.h
    s = min(w, h * 1.5)
    cv.bg([(0, (214, 236, 240)), (1, (182, 216, 224))])
    # linen check pattern
    m, d = cv.mask()
    step = int(h / 9)
    for i in range(0, w + step, step * 2):
        d.rectangle([i, 0, i + step, h], fill=255)
    for j in range(0, h + step, step * 2):
        d.rectangle([0, j, w, j + step], fill=255)
    cv.fill(m, WHITE, 0.18)
    # wooden board
    bx, by = w * 0.5, h * 0.53
    R = min(w * 0.38, h * 0.46)
    board, bd = cv.mask()
    bd.ellipse([bx - R, by - R * 0.98, bx + R, by + R * 0.98], fill=255)
    bd.rounded_rectangle(
        [bx + R * 0.85, by - R * 0.1, bx + R * 1.3, by + R * 0.1], radius=R * 0.1, fill=255
    )
    cv.shadow(board, R * 0.12, 0.35, (R * 0.04, R * 0.08))
    cv.fill(board, (150, 95, 55), 1.0, (0, R * 0.04))
    wood = _vgrad(w, h, [(0, (222, 172, 118)), (1, (200, 145, 92))])
    cv.paste_image(wood, board)
    grain, gd = cv.mask()
    rng = cv.rng
    for k in range(22):
        yy = by - R + (2 * R) * (k + rng.random() * 0.5) / 22
        pts = [
            (bx - R * 1.1 + i * R * 0.1, yy + math.sin(i * 0.6 + k) * R * 0.02) for i in range(27)
        ]
        gd.line(pts, fill=255, width=max(2, int(R * 0.006)))
    cv.fill(ImageChops.multiply(grain, board), (160, 105, 60), 0.35)
    cv.fill(ImageChops.subtract(board, cv.soft(board, R * 0.05)), (150, 95, 55), 0.5)
    hx = bx + R * 1.15
    cv.d.ellipse([hx - R * 0.04, by - R * 0.04, hx + R * 0.04, by + R * 0.04], fill=(182, 216, 224))
    # props
    _sprig(cv, w * 0.06, h * 0.2, s * 0.3, 0.35)
    _sprig(cv, w * 0.1, h * 0.95, s * 0.25, -0.6, PINE_DARK)
    _strawberry(cv, w * 0.86, h * 0.18, s * 0.09, 0.4)
    _strawberry(cv, w * 0.92, h * 0.33, s * 0.07, -0.5)
    for i in range(9):
        _cedar_nut(
            cv,
            w * (0.78 + 0.05 * math.cos(i * 1.3)) + rng.uniform(-1, 1) * s * 0.02,
            h * (0.84 + 0.05 * math.sin(i * 1.7)),
            s * 0.035,
            rng.uniform(0, 6.3),
        )
    _gingerbread(cv, bx - R * 0.02, by + R * 0.02, R * 1.55, -0.08)


def _scene_giftbox(cv):
    w, h = cv.w, cv.h
    cv.bg([(0, (246, 236, 220)), (1, (234, 218, 196))])
    rng = cv.rng
    # lid to the right, tilted, teal with ribbon
    bw, bh = min(w * 0.6, h * 0.9 * 1.5), min(h * 0.78, w * 0.6 / 1.5)
    bx, by = w * 0.42, h * 0.5
    lid, ld = cv.mask()
    lx, ly = bx + bw * 0.62, by - bh * 0.1
    lid_pts = _rect_pts(lx, ly, bw * 0.55, bh * 0.95, 0.18)
    ld.polygon(lid_pts, fill=255)
    cv.shadow(lid, h * 0.03, 0.35, (h * 0.01, h * 0.03))
    cv.fill(lid, TEAL)
    cv.fill(ImageChops.subtract(lid, cv.soft(lid, h * 0.03)), LAKE_DEEP, 0.5)
    # ribbon over lid
    rib, rd = cv.mask()
    rd.polygon(_rect_pts(lx, ly, bw * 0.08, bh * 1.2, 0.18), fill=255)
    rd.polygon(_rect_pts(lx, ly, bw * 0.75, bh * 0.1, 0.18), fill=255)
    cv.fill(ImageChops.multiply(rib, lid), AMBER)
    # snowflake-ish stars on lid
    m2, md2 = cv.mask()
    for _ in range(18):
        x = lx + rng.uniform(-0.3, 0.3) * bw * 0.6
        y = ly + rng.uniform(-0.5, 0.5) * bh * 0.9
        r = h * 0.006
        md2.ellipse([x - r, y - r, x + r, y + r], fill=255)
    cv.fill(ImageChops.multiply(m2, lid), WHITE, 0.7)
    # box base
    box, bd = cv.mask()
    bd.rounded_rectangle(
        [bx - bw / 2, by - bh / 2, bx + bw / 2, by + bh / 2], radius=h * 0.02, fill=255
    )
    cv.shadow(box, h * 0.04, 0.4, (h * 0.01, h * 0.035))
    cv.d.rounded_rectangle(
        [bx - bw / 2, by - bh / 2, bx + bw / 2, by + bh / 2], radius=h * 0.02, fill=TEAL
    )
    inset = bw * 0.035
    ix0, iy0, ix1, iy1 = (
        bx - bw / 2 + inset,
        by - bh / 2 + inset,
        bx + bw / 2 - inset,
        by + bh / 2 - inset,
    )
    cv.d.rectangle([ix0, iy0, ix1, iy1], fill=(214, 180, 136))
    inner, idr = cv.mask()
    idr.rectangle([ix0, iy0, ix1, iy1], fill=255)
    cv.fill(ImageChops.subtract(inner, cv.soft(inner, h * 0.04)), (120, 80, 45), 0.6)
    # compartments 3 x 2
    cw, ch = (ix1 - ix0) / 3, (iy1 - iy0) / 2
    for r in range(2):
        for c in range(3):
            x0, y0 = ix0 + c * cw, iy0 + r * ch
            pad = cw * 0.05
            cell, cd = cv.mask()
            cd.rounded_rectangle(
                [x0 + pad, y0 + pad, x0 + cw - pad, y0 + ch - pad], radius=cw * 0.06, fill=255
            )
            cv.fill(cell, (238, 222, 196))
            cv.fill(ImageChops.subtract(cell, cv.soft(cell, cw * 0.08)), (150, 110, 70), 0.45)
            # paper frill
            fr, fd = cv.mask()
            for k in range(14):
                fx = x0 + pad + (cw - 2 * pad) * (k + 0.5) / 14
                fd.ellipse(
                    [fx - cw * 0.03, y0 + pad - cw * 0.01, fx + cw * 0.03, y0 + pad + cw * 0.03],
                    fill=255,
                )
                fd.ellipse(
                    [
                        fx - cw * 0.03,
                        y0 + ch - pad - cw * 0.03,
                        fx + cw * 0.03,
                        y0 + ch - pad + cw * 0.01,
                    ],
                    fill=255,
                )
            cv.fill(fr, WHITE, 0.7)
            _gingerbread(
                cv,
                x0 + cw / 2 + cw * 0.02 * (-1 if (r + c) % 2 else 1),
                y0 + ch / 2 + ch * 0.02,
                cw * 0.74,
                rng.uniform(-0.15, 0.15),
                flip=(r + c) % 2 == 1,
                shadow=0.3,
            )
    # bow on lid corner
    kx, ky = lx, ly - bh * 0.05
    for a in (-0.6, 0.6 + math.pi):
        loop, lpd = cv.mask()
        lpd.polygon(
            _ellipse_pts(
                kx + math.cos(a) * bw * 0.09, ky + math.sin(a) * bw * 0.09, bw * 0.1, bw * 0.05, a
            ),
            fill=255,
        )
        cv.shadow(loop, h * 0.015, 0.3, (0, h * 0.01))
        cv.fill(loop, (235, 150, 25))
        cv.fill(ImageChops.subtract(loop, cv.soft(loop, h * 0.02)), (190, 110, 10), 0.6)
    cv.d.ellipse([kx - bw * 0.035, ky - bw * 0.035, kx + bw * 0.035, ky + bw * 0.035], fill=AMBER)
    # sprigs
    _sprig(cv, w * 0.03, h * 0.08, min(w, h) * 0.28, 0.5)
    _strawberry(cv, w * 0.1, h * 0.88, min(w, h) * 0.08, 0.3)


def _rect_pts(cx, cy, w, h, angle):
    ca, sa = math.cos(angle), math.sin(angle)
    pts = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
    return [(cx + x * ca - y * sa, cy + x * sa + y * ca) for x, y in pts]


def _scene_giftset(cv):
    w, h = cv.w, cv.h
    s = min(w, h * 1.5)
    rng = cv.rng
    cv.bg([(0, (20, 86, 110)), (1, (12, 60, 84))])
    # soft light spots
    cv.glow(w * 0.3, h * 0.3, h * 0.7, (60, 140, 160), 0.5)
    # kraft paper square
    kp, kd = cv.mask()
    kpts = _rect_pts(w * 0.62, h * 0.5, s * 0.5, s * 0.45, 0.12)
    kd.polygon(kpts, fill=255)
    cv.shadow(kp, h * 0.03, 0.45, (h * 0.01, h * 0.025), (5, 20, 30))
    cv.fill(kp, (205, 170, 125))
    # twine
    tw, td = cv.mask()
    td.line([kpts[0], kpts[2]], fill=255, width=max(2, int(h * 0.006)))
    cv.fill(ImageChops.multiply(tw, kp), (240, 230, 210), 0.8)
    # ticket
    tx, ty, tww, thh, ta = w * 0.3, h * 0.42, s * 0.46, s * 0.2, -0.14
    tk, tkd = cv.mask()
    tpts = _rect_pts(tx, ty, tww, thh, ta)
    tkd.polygon(tpts, fill=255)
    # notches
    for k in (0, 1):
        cxn = tx + math.cos(ta) * tww * 0.24 + (math.sin(ta) * thh / 2) * (1 if k else -1)
        cyn = ty + math.sin(ta) * tww * 0.24 - (math.cos(ta) * thh / 2) * (1 if k else -1)
        r = thh * 0.08
        tkd.ellipse([cxn - r, cyn - r, cxn + r, cyn + r], fill=0)
    cv.shadow(tk, h * 0.025, 0.45, (h * 0.008, h * 0.02), (5, 20, 30))
    cv.fill(tk, CREAM)
    band, bnd = cv.mask()
    bnd.polygon(
        _rect_pts(
            tx - math.cos(ta) * tww * 0.13, ty - math.sin(ta) * tww * 0.13, tww * 0.74, thh, ta
        ),
        fill=255,
    )
    # sunrise mini-illustration inside ticket band
    art = _vgrad(w, h, [(0, (255, 180, 90)), (0.5, (245, 140, 80)), (1, (120, 80, 140))])
    full_band = ImageChops.multiply(band, tk)
    cv.paste_image(art, full_band)
    mtn, mnd = cv.mask()
    base_x, base_y = tx - math.cos(ta) * tww * 0.13, ty - math.sin(ta) * tww * 0.13

    def T(u, v):  # ticket-band local coords -> canvas
        return (
            base_x + u * math.cos(ta) - v * math.sin(ta),
            base_y + u * math.sin(ta) + v * math.cos(ta),
        )

    sx, sy = T(tww * 0.05, thh * 0.05)
    cv.glow(sx, sy, thh * 0.5, SUN, 0.8)
    mnd.polygon(
        [
            T(-tww * 0.4, thh * 0.2),
            T(-tww * 0.22, -thh * 0.2),
            T(-tww * 0.05, thh * 0.12),
            T(tww * 0.12, -thh * 0.28),
            T(tww * 0.4, thh * 0.18),
            T(tww * 0.4, thh * 0.6),
            T(-tww * 0.4, thh * 0.6),
        ],
        fill=255,
    )
    cv.fill(ImageChops.multiply(mtn, full_band), (70, 60, 120))
    wat, wd = cv.mask()
    wd.polygon(
        [
            T(-tww * 0.4, thh * 0.22),
            T(tww * 0.4, thh * 0.22),
            T(tww * 0.4, thh * 0.6),
            T(-tww * 0.4, thh * 0.6),
        ],
        fill=255,
    )
    cv.fill(ImageChops.multiply(wat, full_band), LAKE)
    # stub: perforation, barcode and "text" lines
    for k in range(11):
        px, py = T(tww * 0.37, -thh / 2 + thh * (k + 0.5) / 11)
        r = thh * 0.018
        cv.d.ellipse([px - r, py - r, px + r, py + r], fill=(200, 190, 170))
    u0 = tww * 0.43
    for k in range(18):
        bw_ = tww * (0.004 if k % 3 else 0.008)
        cv.d.polygon(
            [
                T(u0, -thh * 0.32),
                T(u0 + bw_, -thh * 0.32),
                T(u0 + bw_, thh * 0.02),
                T(u0, thh * 0.02),
            ],
            fill=(40, 50, 60),
        )
        u0 += tww * 0.0085
    for k in range(3):
        u0 = tww * 0.43
        cv.d.polygon(
            [
                T(u0, thh * (0.12 + k * 0.09)),
                T(u0 + tww * (0.15 - 0.04 * k), thh * (0.12 + k * 0.09)),
                T(u0 + tww * (0.15 - 0.04 * k), thh * (0.16 + k * 0.09)),
                T(u0, thh * (0.16 + k * 0.09)),
            ],
            fill=(150, 140, 125),
        )
    # gingerbread on kraft paper
    _gingerbread(cv, w * 0.64, h * 0.56, s * 0.36, 0.1)
    _sprig(cv, w * 0.88, h * 0.02, s * 0.3, 1.9)
    _sprig(cv, w * 0.02, h * 0.98, s * 0.22, -0.9)
    _strawberry(cv, w * 0.14, h * 0.8, s * 0.08, -0.3)
    _strawberry(cv, w * 0.22, h * 0.88, s * 0.065, 0.6)
    for _i in range(6):
        _cedar_nut(
            cv,
            w * 0.88 + rng.uniform(-1, 1) * s * 0.05,
            h * 0.8 + rng.uniform(-1, 1) * s * 0.05,
            s * 0.035,
            rng.uniform(0, 6.3),
        )


def _lake_scene_base(cv, sky, horizon, mount_specs, lake_top, lake_bot, sun=None, lake_stops=None):
    cv.bg(sky)
    w, h = cv.w, cv.h
    if sun:
        sx, sy, sr = sun
        cv.glow(sx, sy, sr * 7, (255, 200, 140), 0.55, 1.8)
        cv.glow(sx, sy, sr * 2.5, SUN, 0.8, 1.5)
        cv.d.ellipse([sx - sr, sy - sr, sx + sr, sy + sr], fill=(255, 246, 220))
    for spec in mount_specs:
        pts = _ridge(
            cv.rng,
            -w * 0.05,
            w * 1.05,
            spec["y"] * h,
            spec["amp"] * h,
            peaks=[(p[0] * w, p[1] * h, p[2] * w) for p in spec.get("peaks", [])],
        )
        _mountains(
            cv,
            pts,
            spec["color"],
            spec.get("snow"),
            spec.get("snowline", 0) * h if spec.get("snow") else None,
            spec.get("shade", 0.18),
        )
        if spec.get("haze"):
            m, d = cv.mask()
            d.rectangle([0, spec["y"] * h - spec["amp"] * h, w, h], fill=255)
            hz = _vgrad(
                w,
                h,
                [
                    (0, (0, 0, 0)),
                    (spec["y"] - 0.05, (0, 0, 0)),
                    (spec["y"] + 0.1, WHITE),
                    (1, WHITE),
                ],
            ).convert("L")
            cv.fill(hz, spec["haze"], 0.25)
    lake = _vgrad(
        w,
        int(lake_bot * h - lake_top * h) + 1,
        lake_stops or [(0, sky[-1][1]), (0.3, _mix(sky[-1][1], LAKE, 0.5)), (1, LAKE_DEEP)],
    )
    cv.img.paste(lake, (0, int(lake_top * h)))


def _scene_sunrise(cv):
    w, h = cv.w, cv.h
    sky = [
        (0, (58, 78, 140)),
        (0.25, (150, 110, 160)),
        (0.42, (245, 150, 120)),
        (0.55, (255, 200, 130)),
    ]
    _lake_scene_base(
        cv,
        sky,
        0.55,
        [
            dict(
                y=0.42,
                amp=0.08,
                color=(150, 130, 170),
                snow=(245, 230, 235),
                snowline=0.36,
                peaks=[(0.2, 0.1, 0.2), (0.7, 0.06, 0.15)],
                haze=(255, 200, 160),
            ),
            dict(y=0.5, amp=0.05, color=(90, 80, 130), shade=0.25),
        ],
        0.55,
        1.0,
        sun=(w * 0.62, h * 0.43, h * 0.055),
        lake_stops=[
            (0, (250, 196, 150)),
            (0.25, (170, 130, 160)),
            (0.6, (60, 80, 130)),
            (1, LAKE_DEEP),
        ],
    )
    _sun_path(cv, w * 0.62, h * 0.56, h * 0.82, (255, 214, 150), w * 0.06)
    _water_lines(cv, h * 0.57, h * 0.8, (255, 220, 190), 60, 0.3)
    _ice(cv, h * 0.8, h, cv.rng)
    _hummocks(cv, w * 0.18, h * 0.93, h * 0.28, cv.rng)
    _hummocks(cv, w * 0.85, h * 0.9, h * 0.2, cv.rng)
    # a small nerpa peeking on the ice
    m, P = _nerpa_mask(cv, w * 0.5, h * 0.86, h * 0.12, -0.1)
    cv.shadow(m, h * 0.01, 0.35, (0, h * 0.01))
    cv.fill(m, (95, 100, 115))
    ex, ey = P(0.37, -0.15)
    r = h * 0.12 * 0.035
    cv.d.ellipse([ex - r, ey - r, ex + r, ey + r], fill=(15, 15, 25))


def _scene_hero(cv):
    w, h = cv.w, cv.h
    sky = [
        (0, (30, 56, 110)),
        (0.3, (90, 100, 160)),
        (0.5, (230, 150, 140)),
        (0.6, (255, 196, 140)),
    ]
    _lake_scene_base(
        cv,
        sky,
        0.6,
        [
            dict(
                y=0.45,
                amp=0.09,
                color=(160, 140, 180),
                snow=(250, 236, 240),
                snowline=0.38,
                peaks=[(0.35, 0.12, 0.15), (0.55, 0.08, 0.1), (0.85, 0.1, 0.12)],
                haze=(255, 210, 170),
            ),
            dict(y=0.54, amp=0.06, color=(96, 92, 140), shade=0.25),
            dict(y=0.59, amp=0.03, color=(54, 70, 110), shade=0.2),
        ],
        0.6,
        1.0,
        sun=(w * 0.68, h * 0.5, h * 0.055),
        lake_stops=[
            (0, (255, 200, 150)),
            (0.25, (180, 140, 165)),
            (0.6, (60, 80, 130)),
            (1, LAKE_DEEP),
        ],
    )
    _stars(cv, 40, h * 0.22)
    _cloud(cv, w * 0.2, h * 0.2, h * 0.08, (255, 210, 200), 0.35)
    _cloud(cv, w * 0.8, h * 0.12, h * 0.06, (255, 220, 210), 0.3)
    _sun_path(cv, w * 0.68, h * 0.61, h * 0.9, (255, 214, 150), w * 0.05)
    _water_lines(cv, h * 0.62, h * 0.95, (255, 220, 200), 90, 0.25)
    # left shore with pines
    shore, sd = cv.mask()
    sd.polygon(
        [
            (0, h * 0.72),
            (w * 0.12, h * 0.74),
            (w * 0.3, h * 0.86),
            (w * 0.42, h * 0.93),
            (w * 0.5, h),
            (0, h),
        ],
        fill=255,
    )
    cv.fill(shore, (22, 44, 58))
    rng = cv.rng
    for _i in range(16):
        x = rng.uniform(0, w * 0.3)
        base = h * 0.74 + (x / (w * 0.3)) * h * 0.12 + h * 0.02
        _pine(cv.d, x, base, h * rng.uniform(0.14, 0.28), color=(16, 40, 50), trunk=(16, 40, 50))
    # ice hummocks on the right
    _hummocks(cv, w * 0.9, h * 0.98, h * 0.22, rng, tint=(170, 200, 225))
    cv.d.rectangle([0, h * 0.98, w, h], fill=(22, 44, 58))


def _scene_astral(cv):
    w, h = cv.w, cv.h
    rng = cv.rng
    cv.bg([(0, (10, 16, 48)), (0.45, (36, 40, 100)), (0.62, (60, 70, 130)), (0.7, (90, 110, 150))])
    # milky way band
    mw, md = cv.mask()
    md.polygon(
        [
            (0, h * 0.45),
            (w * 0.2, h * 0.2),
            (w, -h * 0.1),
            (w, h * 0.1),
            (w * 0.3, h * 0.35),
            (0, h * 0.6),
        ],
        fill=255,
    )
    cv.fill(cv.soft(mw, h * 0.12), (150, 140, 220), 0.35)
    _stars(cv, 260, h * 0.6)
    # constellation (Ursa Major-like)
    cons = [
        (0.58, 0.12),
        (0.64, 0.1),
        (0.7, 0.13),
        (0.75, 0.17),
        (0.8, 0.14),
        (0.84, 0.23),
        (0.77, 0.26),
    ]
    pts = [(x * w, y * h) for x, y in cons]
    lm, ld = cv.mask()
    ld.line(pts + [pts[3]], fill=255, width=max(2, int(h * 0.002)))
    cv.fill(lm, (200, 210, 255), 0.45)
    for x, y in pts:
        cv.glow(x, y, h * 0.025, (255, 245, 220), 0.9)
        r = h * 0.004
        cv.d.ellipse([x - r, y - r, x + r, y + r], fill=WHITE)
    # moon
    mx, my, mr = w * 0.16, h * 0.16, h * 0.06
    cv.glow(mx, my, mr * 4, (200, 210, 255), 0.4)
    moon, mnd = cv.mask()
    mnd.ellipse([mx - mr, my - mr, mx + mr, my + mr], fill=255)
    mnd.ellipse([mx - mr * 0.55, my - mr * 1.15, mx + mr * 1.45, my + mr * 0.85], fill=0)
    cv.fill(moon, (250, 244, 220))
    # hills and lake
    for y, amp, col in ((0.55, 0.06, (40, 50, 100)), (0.6, 0.04, (28, 36, 76))):
        pts = _ridge(rng, -w * 0.05, w * 1.05, y * h, amp * h)
        cv.d.polygon(pts + [(w * 1.05, h), (-w * 0.05, h)], fill=col)
    cv.d.rectangle([0, h * 0.63, w, h * 0.72], fill=(34, 50, 100))
    _water_lines(cv, h * 0.64, h * 0.71, (180, 190, 255), 40, 0.3)
    # town ground
    cv.d.polygon([(0, h * 0.7), (w, h * 0.72), (w, h), (0, h)], fill=(20, 26, 52))
    # five-storey blocks and houses
    x = -w * 0.02
    while x < w:
        if rng.random() < 0.3:
            bw_, bh_ = w * rng.uniform(0.12, 0.18), h * rng.uniform(0.14, 0.2)
            top = h * 0.72 - bh_
            cv.d.rectangle([x, top, x + bw_, h * 0.74], fill=(30, 36, 70))
            for r in range(5):
                for c in range(int(bw_ / (w * 0.022))):
                    if rng.random() < 0.45:
                        wx, wy = x + w * 0.008 + c * w * 0.022, top + h * 0.015 + r * bh_ / 5.2
                        cv.d.rectangle(
                            [wx, wy, wx + w * 0.01, wy + h * 0.018],
                            fill=rng.choice(((255, 200, 110), (255, 220, 150), (250, 180, 90))),
                        )
            x += bw_ + w * 0.01
        else:
            bw_, bh_ = w * rng.uniform(0.06, 0.09), h * rng.uniform(0.06, 0.09)
            top = h * 0.73 - bh_
            col = (36, 40, 78)
            cv.d.rectangle([x, top, x + bw_, h * 0.75], fill=col)
            cv.d.polygon(
                [(x - bw_ * 0.1, top), (x + bw_ / 2, top - bh_ * 0.6), (x + bw_ * 1.1, top)],
                fill=(46, 46, 90),
            )
            wx = x + bw_ * 0.35
            cv.glow(wx + bw_ * 0.15, top + bh_ * 0.45, bh_ * 0.6, (255, 190, 100), 0.35)
            cv.d.rectangle(
                [wx, top + bh_ * 0.3, wx + bw_ * 0.3, top + bh_ * 0.6], fill=(255, 205, 120)
            )
            x += bw_ + w * rng.uniform(0.02, 0.05)
    # path and lamps
    cv.d.polygon(
        [(w * 0.35, h), (w * 0.48, h * 0.8), (w * 0.56, h * 0.8), (w * 0.8, h)], fill=(44, 48, 84)
    )
    for lx, ly, lh in ((0.3, 0.95, 0.2), (0.44, 0.82, 0.12), (0.68, 0.9, 0.17)):
        X, Y, H = lx * w, ly * h, lh * h
        cv.d.rectangle([X - H * 0.015, Y - H, X + H * 0.015, Y], fill=(15, 18, 36))
        cv.glow(X, Y - H, H * 0.7, (255, 190, 100), 0.6)
        cv.glow(X, Y, H * 0.6, (255, 190, 100), 0.15)
        cv.d.ellipse([X - H * 0.06, Y - H * 1.06, X + H * 0.06, Y - H * 0.94], fill=(255, 226, 160))
    # walking group with a guide
    for i, (px, c) in enumerate(
        (
            (0.5, (240, 160, 60)),
            (0.55, (70, 150, 170)),
            (0.59, (200, 80, 90)),
            (0.63, (120, 170, 110)),
            (0.67, (230, 200, 110)),
        )
    ):
        ph = h * (0.17 if i else 0.18)
        _person(
            cv.d,
            px * w,
            h * 0.93 + (i % 2) * h * 0.01,
            ph,
            _mix(c, (20, 26, 60), 0.45),
            skin=(120, 110, 140),
            legs=(18, 22, 44),
            hat=_mix(c, (20, 26, 60), 0.3) if i % 2 else None,
            arm_up=(i == 0),
        )
    gx, gy = w * 0.5 + h * 0.17 * 0.15 * 1.6, h * 0.93 - h * 0.18 * 1.0
    cv.glow(gx, gy, h * 0.06, (255, 210, 120), 0.9)
    cv.d.ellipse(
        [gx - h * 0.008, gy - h * 0.008, gx + h * 0.008, gy + h * 0.008], fill=(255, 240, 200)
    )


def _flags(cv, x0, y0, x1, y1, sag, n, size):
    colors = [AMBER, TEAL, STRAWBERRY, (90, 160, 90), (250, 220, 90), (70, 120, 200)]
    pts = []
    for i in range(41):
        t = i / 40
        pts.append((x0 + (x1 - x0) * t, y0 + (y1 - y0) * t + sag * 4 * t * (1 - t)))
    cv.d.line(pts, fill=(60, 60, 70), width=max(2, int(size * 0.05)), joint="curve")
    for k in range(n):
        t = (k + 0.5) / n
        x = x0 + (x1 - x0) * t
        y = y0 + (y1 - y0) * t + sag * 4 * t * (1 - t)
        c = colors[k % len(colors)]
        cv.d.polygon([(x - size / 2, y), (x + size / 2, y), (x, y + size * 1.2)], fill=c)


def _scene_event(cv):
    w, h = cv.w, cv.h
    rng = cv.rng
    _lake_scene_base(
        cv,
        [(0, (110, 180, 225)), (0.5, (190, 226, 240)), (0.6, (214, 236, 242))],
        0.5,
        [
            dict(
                y=0.4,
                amp=0.07,
                color=(120, 150, 185),
                snow=WHITE,
                snowline=0.345,
                peaks=[(0.3, 0.08, 0.2), (0.75, 0.05, 0.15)],
            ),
            dict(y=0.48, amp=0.04, color=(70, 120, 110), shade=0.2),
        ],
        0.52,
        0.68,
    )
    _cloud(cv, w * 0.2, h * 0.14, h * 0.07)
    _cloud(cv, w * 0.72, h * 0.1, h * 0.05)
    _water_lines(cv, h * 0.53, h * 0.67, WHITE, 50, 0.4)
    # beach and grass
    cv.d.polygon([(0, h * 0.66), (w, h * 0.64), (w, h), (0, h)], fill=(226, 204, 160))
    cv.d.polygon(
        [(0, h * 0.76), (w * 0.4, h * 0.73), (w, h * 0.75), (w, h), (0, h)], fill=(140, 180, 100)
    )
    # tents
    for tx, tc, s in ((0.14, STRAWBERRY, 0.22), (0.82, TEAL, 0.24), (0.5, AMBER, 0.18)):
        X, Y, S = tx * w, h * 0.78, s * h
        tm, td = cv.mask()
        td.polygon([(X - S, Y), (X, Y - S * 0.9), (X + S, Y)], fill=255)
        cv.shadow(tm, S * 0.08, 0.3, (S * 0.05, S * 0.04))
        cv.d.polygon([(X - S, Y), (X, Y - S * 0.9), (X + S, Y)], fill=WHITE)
        for k in range(-2, 3, 2):
            cv.d.polygon(
                [(X, Y - S * 0.9), (X + k * S / 3 - S / 6, Y), (X + k * S / 3 + S / 6, Y)], fill=tc
            )
        cv.d.rectangle([X - S * 0.2, Y - S * 0.35, X + S * 0.2, Y], fill=_mix(tc, (0, 0, 0), 0.45))
        cv.d.line(
            [(X, Y - S * 0.9), (X, Y - S * 1.15)], fill=(80, 70, 60), width=max(2, int(S * 0.02))
        )
        cv.d.polygon([(X, Y - S * 1.15), (X + S * 0.22, Y - S * 1.08), (X, Y - S * 1.0)], fill=tc)
    # garlands
    _flags(cv, -w * 0.02, h * 0.3, w * 0.52, h * 0.34, h * 0.1, 14, h * 0.04)
    _flags(cv, w * 0.48, h * 0.34, w * 1.02, h * 0.28, h * 0.1, 14, h * 0.04)
    # lanterns
    for lx in (0.28, 0.38, 0.62, 0.72):
        X, Y = lx * w, h * 0.42 + math.sin(lx * 9) * h * 0.02
        cv.d.line([(X, Y - h * 0.08), (X, Y)], fill=(60, 60, 70), width=max(2, int(h * 0.003)))
        cv.glow(X, Y + h * 0.03, h * 0.07, (255, 200, 120), 0.5)
        cv.d.ellipse([X - h * 0.025, Y, X + h * 0.025, Y + h * 0.06], fill=(230, 70, 60))
        cv.d.rectangle(
            [X - h * 0.012, Y - h * 0.005, X + h * 0.012, Y + h * 0.005], fill=(60, 40, 30)
        )
    # crowd
    cols = [
        (230, 120, 60),
        TEAL,
        STRAWBERRY,
        (250, 200, 80),
        (80, 130, 200),
        (120, 170, 90),
        (170, 100, 160),
    ]
    skins = [(240, 200, 165), (225, 180, 140), (200, 150, 110), (245, 210, 180)]
    for row in range(2):
        for i in range(9):
            if row == 0 and i in (1, 4, 7):
                continue
            x = w * (i + 0.3 + (row % 2) * 0.5) / 9 + rng.uniform(-1, 1) * w * 0.015
            y = h * (0.9 + row * 0.08)
            _person(
                cv.d,
                x,
                y,
                h * (0.14 + row * 0.03),
                rng.choice(cols),
                rng.choice(skins),
                hat=rng.choice(cols) if rng.random() < 0.3 else None,
                arm_up=rng.random() < 0.2,
            )


def _scene_college(cv):
    w, h = cv.w, cv.h
    rng = cv.rng
    cv.bg([(0, (120, 190, 230)), (0.6, (210, 236, 246))])
    _cloud(cv, w * 0.15, h * 0.14, h * 0.07)
    _cloud(cv, w * 0.85, h * 0.2, h * 0.06)
    _cloud(cv, w * 0.55, h * 0.08, h * 0.04, WHITE, 0.8)
    # hills behind
    pts = _ridge(rng, -w * 0.05, w * 1.05, h * 0.42, h * 0.06, peaks=[(0.2 * w, 0.06 * h, 0.2 * w)])
    _mountains(cv, pts, (120, 160, 170), WHITE, h * 0.38)
    pts = _ridge(rng, -w * 0.05, w * 1.05, h * 0.5, h * 0.03)
    cv.d.polygon(pts + [(w * 1.05, h), (-w * 0.05, h)], fill=(80, 140, 110))
    # ground
    cv.d.rectangle([0, h * 0.72, w, h], fill=(130, 180, 100))
    # building
    bx0, bx1, by0, by1 = w * 0.14, w * 0.86, h * 0.26, h * 0.74
    bm, bmd = cv.mask()
    bmd.rectangle([bx0, by0, bx1, by1], fill=255)
    cv.shadow(bm, h * 0.03, 0.3, (h * 0.02, h * 0.015))
    cv.d.rectangle([bx0, by0, bx1, by1], fill=(246, 226, 180))
    cv.d.rectangle([bx0 - w * 0.01, by0 - h * 0.025, bx1 + w * 0.01, by0], fill=(200, 120, 90))
    cv.d.rectangle([bx0, by1 - h * 0.05, bx1, by1], fill=(225, 200, 155))
    # windows
    floors, cols = 3, 12
    fw = (bx1 - bx0) / cols
    fh = (by1 - by0 - h * 0.05) / floors
    for f in range(floors):
        for c in range(cols):
            if f == floors - 1 and 5 <= c <= 6:
                continue
            x0 = bx0 + c * fw + fw * 0.22
            y0 = by0 + f * fh + fh * 0.22
            x1, y1 = x0 + fw * 0.56, y0 + fh * 0.6
            cv.d.rectangle(
                [x0 - fw * 0.04, y0 - fw * 0.04, x1 + fw * 0.04, y1 + fw * 0.08], fill=WHITE
            )
            cv.d.rectangle([x0, y0, x1, y1], fill=(110, 170, 200))
            cv.d.polygon(
                [
                    (x0, y1),
                    (x0, y0 + (y1 - y0) * 0.5),
                    (x0 + (x1 - x0) * 0.5, y0),
                    (x1, y0),
                    (x0 + (x1 - x0) * 0.2, y1),
                ],
                fill=(160, 210, 230),
            )
            cv.d.line(
                [((x0 + x1) / 2, y0), ((x0 + x1) / 2, y1)], fill=WHITE, width=max(2, int(fw * 0.04))
            )
    # entrance
    ex0, ex1 = bx0 + 5 * fw, bx0 + 7 * fw
    cv.d.rectangle([ex0, by0 + 2 * fh + fh * 0.1, ex1, by1 - h * 0.02], fill=(90, 70, 60))
    cv.d.rectangle(
        [ex0 + fw * 0.15, by0 + 2 * fh + fh * 0.2, ex1 - fw * 0.15, by1 - h * 0.02],
        fill=(120, 170, 200),
    )
    cv.d.line(
        [((ex0 + ex1) / 2, by0 + 2 * fh + fh * 0.2), ((ex0 + ex1) / 2, by1 - h * 0.02)],
        fill=(90, 70, 60),
        width=max(2, int(fw * 0.05)),
    )
    cv.d.polygon(
        [
            (ex0 - fw * 0.3, by0 + 2 * fh + fh * 0.1),
            (ex1 + fw * 0.3, by0 + 2 * fh + fh * 0.1),
            (ex1 + fw * 0.1, by0 + 2 * fh - fh * 0.08),
            (ex0 - fw * 0.1, by0 + 2 * fh - fh * 0.08),
        ],
        fill=TEAL,
    )
    # sign band above the door
    cv.d.rounded_rectangle(
        [ex0 - fw * 0.6, by0 + 2 * fh - fh * 0.55, ex1 + fw * 0.6, by0 + 2 * fh - fh * 0.2],
        radius=fh * 0.08,
        fill=LAKE,
    )
    for k in range(9):
        lx = ex0 - fw * 0.4 + k * (ex1 - ex0 + fw * 0.8) / 9
        cv.d.rectangle(
            [lx, by0 + 2 * fh - fh * 0.44, lx + fw * 0.18, by0 + 2 * fh - fh * 0.31], fill=WHITE
        )
    for k in range(3):
        cv.d.rectangle(
            [
                ex0 - fw * 0.3 - k * fw * 0.1,
                by1 - h * 0.02 + k * h * 0.01,
                ex1 + fw * 0.3 + k * fw * 0.1,
                by1 - h * 0.01 + k * h * 0.01,
            ],
            fill=(200, 195, 190),
        )
    # flag
    fx, fy = (bx0 + bx1) / 2, by0 - h * 0.025
    cv.d.line([(fx, fy), (fx, fy - h * 0.14)], fill=(90, 90, 100), width=max(2, int(h * 0.005)))
    cv.d.rectangle([fx, fy - h * 0.14, fx + h * 0.09, fy - h * 0.12], fill=WHITE)
    cv.d.rectangle([fx, fy - h * 0.12, fx + h * 0.09, fy - h * 0.1], fill=(40, 90, 180))
    cv.d.rectangle([fx, fy - h * 0.1, fx + h * 0.09, fy - h * 0.08], fill=(210, 50, 50))
    # trees
    for x, hh in ((0.05, 0.42), (0.1, 0.34), (0.93, 0.44), (0.97, 0.3)):
        _pine(cv.d, x * w, h * 0.78, hh * h)
    _birch(cv.d, w * 0.2, h * 0.8, h * 0.36)
    _birch(cv.d, w * 0.82, h * 0.8, h * 0.34, (110, 165, 75))
    # path
    cv.d.polygon(
        [(ex0 - fw * 0.4, h * 0.745), (ex1 + fw * 0.4, h * 0.745), (w * 0.72, h), (w * 0.28, h)],
        fill=(225, 215, 200),
    )
    # students
    cols = [
        (230, 120, 60),
        TEAL,
        STRAWBERRY,
        (250, 200, 80),
        (80, 130, 200),
        (120, 170, 90),
        (170, 100, 160),
        LAKE,
    ]
    skins = [(240, 200, 165), (225, 180, 140), (205, 160, 120), (245, 210, 180)]
    spots = [
        (0.3, 0.9),
        (0.36, 0.93),
        (0.42, 0.88),
        (0.58, 0.9),
        (0.64, 0.94),
        (0.7, 0.89),
        (0.24, 0.97),
        (0.76, 0.98),
        (0.5, 0.97),
    ]
    for i, (x, y) in enumerate(spots):
        _person(
            cv.d,
            x * w,
            y * h,
            h * rng.uniform(0.19, 0.23),
            cols[i % len(cols)],
            skins[i % 4],
            hat=cols[(i + 3) % len(cols)] if i % 3 == 0 else None,
            arm_up=i in (1, 5),
            flag=AMBER if i == 1 else None,
        )


_SCENES = {
    "nerpa": _scene_nerpa,
    "giftbox": _scene_giftbox,
    "giftset": _scene_giftset,
    "astral": _scene_astral,
    "sunrise": _scene_sunrise,
    "event": _scene_event,
    "college": _scene_college,
    "hero": _scene_hero,
}


def render(name: str, size=None) -> bytes:
    """Return PNG bytes for the demo picture ``name`` (one of ``ARTWORK_NAMES``).

    ``size`` is ``(width, height)`` in pixels; by default 1200x800, or 1600x700
    for ``"hero"``.
    """
    if name not in _SCENES:
        raise ValueError(f"Unknown artwork {name!r}; choose one of {', '.join(ARTWORK_NAMES)}")
    if size is None:
        size = DEFAULT_SIZES.get(name, DEFAULT_SIZE)
    size = (max(16, int(size[0])), max(16, int(size[1])))
    seed = zlib.crc32(f"{name}:{size[0]}x{size[1]}".encode())
    cv = Canvas(size, seed)
    _SCENES[name](cv)
    return cv.png()
