"""The yardstick for throughput: a bare Flask + Jinja app that renders a 50-row table like the
inbox's, from data built in memory once. ``gunicorn --chdir benchmarks bare:app``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask, render_template
from jinja2 import DictLoader

PAGE = """<!doctype html>
<html lang="fi">
<head><meta charset="utf-8"><title>Inbox</title>
<link rel="stylesheet" href="/static/app.css"></head>
<body>
<main id="main">
<h1>Inbox</h1>
<p id="inbox-count">{{ rows|length }} requests</p>
<div class="table-scroll" tabindex="0" role="region" aria-labelledby="inbox-caption">
<table class="inbox">
  <caption id="inbox-caption" class="visually-hidden">Requests by call-back due date</caption>
  <thead>
    <tr>
      <th scope="col">Reference</th><th scope="col">Received</th><th scope="col">Call back by</th>
      <th scope="col">Topics</th><th scope="col">Call language</th><th scope="col">Owner</th>
      <th scope="col">Status</th><th scope="col">Call attempts</th>
      <th scope="col">First contact</th>
    </tr>
  </thead>
  <tbody>
  {% for row in rows %}
    <tr>
      <td class="reference-cell"><a href="/staff/requests/{{ row.id }}">{{ row.reference }}</a></td>
      <td><time datetime="{{ row.submitted_at.isoformat() }}">
        {{- row.submitted_at.strftime("%d.%m.%Y %H.%M") }}</time></td>
      <td><time datetime="{{ row.due_date.isoformat() }}">
        {{- row.due_date.strftime("%d.%m.") }}</time>
        <span class="badge badge-{{ row.state }}">{{ row.days }} working days left</span></td>
      <td>{% for topic in row.topics %}{{ topic }}{% if not loop.last %}, {% endif %}
        {%- endfor %}</td>
      <td>{{ row.language }}</td>
      <td>{{ row.owner or "–" }}</td>
      <td>{{ row.status }}</td>
      <td>{{ row.calls }}</td>
      <td>{% if row.contacted %}<span class="badge badge-on_time">on time</span>
        {%- else %}–{% endif %}</td>
    </tr>
  {% endfor %}
  </tbody>
</table>
</div>
</main>
</body>
</html>
"""

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
ROWS = [
    {
        "id": number,
        "reference": f"{number * 7919 % 10**8:08d}",
        "submitted_at": NOW - timedelta(hours=7 * number),
        "due_date": (NOW + timedelta(days=3 - number % 5)).date(),
        "state": "overdue" if number % 5 > 3 else "due_later",
        "days": number % 4,
        "topics": ["Talous", "Vanhemman jaksaminen"][: number % 3],
        "language": "suomi" if number % 8 else "ruotsi",
        "owner": "Sanna Virtanen" if number % 2 else "",
        "status": "Uusi" if number % 3 else "Työn alla",
        "calls": number % 3,
        "contacted": number % 4 == 0,
    }
    for number in range(1, 51)
]

app = Flask(__name__)
app.jinja_loader = DictLoader({"inbox.html": PAGE})


@app.get("/")
def inbox() -> str:
    return render_template("inbox.html", rows=ROWS)
