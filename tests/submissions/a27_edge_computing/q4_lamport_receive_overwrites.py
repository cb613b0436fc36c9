# expect: {"q4": "below_full"}
# ruff: noqa: F821, F841, B007  (a fragment: tf, np, Interpreter, ... come from the reference setup cell)
# receive() sets the local Lamport clock to the received time instead of the maximum (it can go backwards).
# %% [q4]
class Outbox:
    """A persistent outbox for an edge device that is often offline (SQLite, one file).

    ``Outbox(db_path, device_id)`` opens or creates the database; everything recorded survives a new
    ``Outbox`` on the same file (a reboot) and a killed process (commit every change).

    - ``record(key, value) -> str``: append a change: a fresh ``request_id`` (``uuid.uuid4().hex``),
      the device's Lamport clock incremented by one and persisted, ``device_id``, ``key`` and ``value``
      (JSON-serialisable). Return the ``request_id``.
    - ``pending() -> int``: changes not yet acknowledged.
    - ``sync(server) -> dict``: send pending changes oldest first, one call each:
      ``server.apply(request_id, key, value, lamport, device_id)``. Mark a change acknowledged (in the
      database, committed) only after ``apply`` returns; when it raises ``ConnectionError`` stop and
      return (the link is down; the change stays pending and is sent again, **with the same request_id**,
      on the next ``sync``). Return ``{"sent": acknowledged_this_call, "pending": remaining, "complete":
      bool}``.
    - ``receive(key, value, lamport)``: a change from another device arrives: set the local Lamport clock
      to ``max(local, lamport)`` and persist it.
    """

    def __init__(self, db_path: str, device_id: str):
        self.device_id = device_id
        self.db = sqlite3.connect(db_path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS outbox (pos INTEGER PRIMARY KEY AUTOINCREMENT, request_id TEXT "
                        "UNIQUE, key TEXT, value TEXT, lamport INTEGER, acked INTEGER DEFAULT 0)")
        self.db.execute("CREATE TABLE IF NOT EXISTS clock (id INTEGER PRIMARY KEY CHECK (id = 0), lamport INTEGER)")
        self.db.execute("INSERT OR IGNORE INTO clock VALUES (0, 0)")

    def _lamport(self):
        return self.db.execute("SELECT lamport FROM clock WHERE id = 0").fetchone()[0]

    def record(self, key, value) -> str:
        request_id = uuid.uuid4().hex
        with self.db:
            self.db.execute("BEGIN")
            lamport = self._lamport() + 1
            self.db.execute("UPDATE clock SET lamport = ? WHERE id = 0", (lamport,))
            self.db.execute("INSERT INTO outbox (request_id, key, value, lamport) VALUES (?, ?, ?, ?)",
                            (request_id, str(key), json.dumps(value), lamport))
        return request_id

    def receive(self, key, value, lamport) -> None:
        self.db.execute("UPDATE clock SET lamport = ? WHERE id = 0", (int(lamport),))

    def pending(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM outbox WHERE acked = 0").fetchone()[0]

    def sync(self, server) -> dict:
        sent = 0
        rows = self.db.execute("SELECT pos, request_id, key, value, lamport FROM outbox WHERE acked = 0 "
                               "ORDER BY pos").fetchall()
        for pos, request_id, key, value, lamport in rows:
            try:
                server.apply(request_id, key, json.loads(value), lamport, self.device_id)
            except ConnectionError:
                break
            self.db.execute("UPDATE outbox SET acked = 1 WHERE pos = ?", (pos,))
            sent += 1
        remaining = self.pending()
        return {"sent": sent, "pending": remaining, "complete": remaining == 0}


def sync_outbox(db_path: str, device_id: str, server) -> dict:
    """Open the outbox at ``db_path`` and ``sync`` it to ``server`` until nothing is pending.

    Retry after each ``ConnectionError`` (a new ``sync`` call) until the outbox is empty; return the last
    ``sync`` result.
    """
    box = Outbox(db_path, device_id)
    while True:
        result = box.sync(server)
        if result["complete"]:
            return result


def merge_lww(changes) -> dict:
    """Deterministic last-writer-wins merge of changes from several devices.

    ``changes``: iterable of dicts ``{"key", "value", "lamport", "device_id"}`` in any order. For each key
    keep the value of the change with the largest ``(lamport, device_id)``; return ``{key: value}``. Any
    delivery order (and duplicates) gives the same state.
    """
    best = {}
    for change in changes:
        stamp = (int(change["lamport"]), str(change["device_id"]))
        if change["key"] not in best or stamp > best[change["key"]][0]:
            best[change["key"]] = (stamp, change["value"])
    return {key: value for key, (_, value) in best.items()}
