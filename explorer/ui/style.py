"""The dashboard's look: one stylesheet, scoped under ``.ae-app`` so a notebook is untouched.

Inline CSS only (no web fonts, no CDN): it works offline, in JupyterLab and in Voila.
"""

from __future__ import annotations

import html

CSS = """
.ae-app { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; color: #1f2937; max-width: 1320px; margin: 0 auto; padding: 4px 8px 24px; }
.ae-app .ae-header { background: linear-gradient(100deg, #1e3a8a 0%, #2563eb 70%, #3b82f6 100%);
  color: #fff; border-radius: 14px; padding: 18px 24px; margin: 4px 0 14px;
  box-shadow: 0 2px 8px rgba(30, 58, 138, .25); }
.ae-app .ae-header h1 { margin: 0; font-size: 24px; font-weight: 650; letter-spacing: -.01em;
  color: #fff; }
.ae-app .ae-header p { margin: 6px 0 0; font-size: 14px; opacity: .88; }
.ae-app .ae-header .ae-pill { display: inline-block; margin-left: 10px; padding: 2px 10px;
  border-radius: 999px; background: rgba(255,255,255,.18); font-size: 12px; font-weight: 600;
  vertical-align: middle; }
.ae-app .ae-card { background: #fff; border: 1px solid #e5e7eb; border-radius: 12px;
  padding: 14px 16px; margin: 0 0 12px; box-shadow: 0 1px 2px rgba(15, 23, 42, .05); }
.ae-app .ae-h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .07em;
  color: #6b7280; font-weight: 650; margin: 0 0 8px; }
.ae-app .ae-step { display: inline-block; width: 20px; height: 20px; border-radius: 50%;
  background: #2563eb; color: #fff; text-align: center; font-size: 12px; line-height: 20px;
  margin-right: 8px; letter-spacing: 0; }
.ae-app .ae-muted { color: #6b7280; font-size: 13px; }
.ae-app .ae-small { font-size: 12px; color: #6b7280; }
.ae-app .ae-task-card h3 { margin: 0 0 2px; font-size: 18px; font-weight: 650; }
.ae-app .ae-task-card code, .ae-app .ae-why code { background: #f3f4f6; border-radius: 4px;
  padding: 1px 5px; font-size: 12.5px; }
.ae-app .ae-chip { display: inline-block; padding: 1px 8px; margin: 2px 4px 2px 0;
  border-radius: 999px; background: #eef2ff; color: #3730a3; font-size: 12px; }
.ae-app .ae-badge-toy { display: inline-block; padding: 3px 12px; border-radius: 999px;
  background: #dbe7f5; color: #1d3557; font-weight: 600; }
.ae-app .ae-badge-warn { display: inline-block; padding: 3px 12px; border-radius: 999px;
  background: #fef3c7; color: #92400e; border: 1px solid #fcd34d; font-size: 12.5px;
  font-weight: 650; }
.ae-app .ae-badge-ok { display: inline-block; padding: 3px 12px; border-radius: 999px;
  background: #ecfdf5; color: #065f46; border: 1px solid #a7f3d0; font-size: 12.5px;
  font-weight: 600; }
.ae-app .ae-error { color: #991b1b; background: #fef2f2; border: 1px solid #fecaca;
  border-radius: 8px; padding: 7px 12px; font-size: 13.5px; }
.ae-app .ae-info { color: #1e3a8a; background: #eff6ff; border: 1px solid #bfdbfe;
  border-radius: 8px; padding: 7px 12px; font-size: 13.5px; }
.ae-app .ae-done { color: #065f46; font-size: 13.5px; }
.ae-app .ae-busy { color: #1e40af; font-size: 13.5px; }
.ae-app .ae-categories .widget-toggle-buttons { flex-wrap: wrap; gap: 6px; }
.ae-app .ae-categories .widget-toggle-button { border-radius: 999px; padding: 0 16px;
  height: 32px; font-weight: 600; }
.ae-app .ae-categories .widget-toggle-button.mod-active { background: #1e3a8a; color: #fff;
  box-shadow: 0 1px 3px rgba(30, 58, 138, .35); }
.ae-app .ae-card-inputs .widget-textarea, .ae-app .ae-card-inputs .widget-text {
  width: calc(100% - 6px) !important; }
.ae-app .ae-task { width: 100%; text-align: left; justify-content: flex-start; height: 30px;
  border-radius: 8px; background: transparent; font-weight: 600; color: #1f2937;
  box-shadow: none; padding: 0 10px; }
.ae-app .ae-task:hover { background: #f3f4f6; }
.ae-app .ae-task.ae-selected { background: #2563eb; color: #fff; }
.ae-app .ae-task-summary { margin: -2px 0 6px 10px; font-size: 12px; color: #6b7280;
  line-height: 1.35; }
.ae-app .ae-not-runnable { color: #9ca3af; font-size: 12px; }
.ae-app .ae-not-runnable summary { cursor: pointer; font-weight: 600; }
.ae-app .ae-not-runnable li { margin: 2px 0; }
.ae-app .ae-run { height: 38px; font-size: 15px; font-weight: 650; border-radius: 8px;
  padding: 0 22px; }
.ae-app .ae-why h4 { margin: 14px 0 6px; font-size: 14px; }
.ae-app .ae-why ol { margin: 4px 0 4px 18px; padding: 0; }
.ae-app .ae-why li { margin: 3px 0; font-size: 13px; }
.ae-app .ae-why table { border-collapse: collapse; font-size: 13px; }
.ae-app .ae-why td { padding: 3px 14px 3px 0; vertical-align: top; }
.ae-app .ae-why td:first-child { color: #6b7280; white-space: nowrap; }
.ae-app pre, .ae-app code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas,
  monospace; }
.ae-app pre.ae-code { background: #0f172a; color: #e2e8f0; padding: 14px 16px; border-radius: 10px;
  font-size: 12.5px; line-height: 1.5; overflow-x: auto; white-space: pre; margin: 0; }
.ae-app pre.ae-data { background: #f8fafc; border: 1px solid #e5e7eb; padding: 12px;
  border-radius: 10px; font-size: 12px; max-height: 480px; overflow: auto; margin: 0; }
.ae-app .ae-compare-col { padding: 0 6px; flex: 1 1 0; min-width: 0; overflow-x: auto; }
.ae-app .ae-compare-col h4 { margin: 4px 0 8px; font-size: 14px; }
.ae-app .ae-field-label { font-size: 13px; font-weight: 600; color: #374151; margin: 6px 0 2px; }
.ae-app .widget-label { color: #374151; }
.ae-app .ae-preview img { max-height: 150px; border-radius: 8px; border: 1px solid #e5e7eb; }
.ae-app .jupyter-widgets.widget-tab > .p-TabBar .p-TabBar-tab,
.ae-app .jupyter-widgets.widget-tab > .lm-TabBar .lm-TabBar-tab { font-weight: 600;
  flex: 0 0 auto; min-width: max-content; }
.ae-app .widget-button, .ae-app .widget-toggle-button { min-width: max-content; }
/* Narrow (a projector at 800 px, a JupyterLab panel): the task list goes above the panels and
   the compared results stack. A container query, so a narrow notebook cell stacks too. */
.ae-app { container-type: inline-size; }
@container (max-width: 900px) {
  .ae-app .ae-body { flex-direction: column !important; }
  .ae-app .ae-sidebar { width: 100% !important; flex: 0 0 auto !important; min-width: 0 !important; }
  .ae-app .ae-compare-cols { flex-direction: column !important; }
  .ae-app .ae-compare-col { width: 100% !important; flex: 0 0 auto !important; }
}
"""


def stylesheet() -> str:
    """The ``<style>`` element the app puts at its top."""
    return f"<style>{CSS}</style>"


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def heading(step: int | None, title: str) -> str:
    """A numbered section heading: ``(1) TASK``."""
    number = f'<span class="ae-step">{step}</span>' if step is not None else ""
    return f'<div class="ae-h2">{number}{esc(title)}</div>'


def message(text: str, kind: str = "error") -> str:
    """A one-line message box: ``error``, ``info``, ``done`` or ``busy``."""
    if not text:
        return ""
    icon = {"error": "⚠ ", "info": "ℹ ", "done": "✓ ", "busy": "⏳ "}.get(kind, "")
    return f'<div class="ae-{kind}">{icon}{esc(text)}</div>'


def toy_badge(headline: str) -> str:
    """The neutral badge of a checkpoint trained on a toy world, with its measured quality."""
    return (f'<span class="ae-badge-toy" title="Trained here on generated data it can be checked '
            f'against; it knows nothing outside that world.">{esc(headline)}</span>')


RANDOM_BADGE = ('<span class="ae-badge-warn" title="These weights were never trained: the shapes '
                'and the flow are real, the numbers are not.">random weights — output is '
                'meaningless</span>')
