"""Flow changes, from PostgreSQL's LISTEN/NOTIFY to the subscribers of this process.

The triggers of revision 0002 notify the channel `channel_name(schema)` with
`{"flow_id", "client_account_id", "engagement_id"}` whenever a master flow,
its discovery flow, that flow's import or the import's records change.
`FlowChanges` LISTENs on one dedicated asyncpg connection per process (never
a pooled one) and wakes the subscriptions of the changed flow and tenant.
It connects to `LISTEN_DATABASE_URL` when set: notifications are sent on the
primary only, and LISTEN needs a session of its own, which a pooler in
transaction mode does not keep.

The listener also tells whether the schema has the triggers
(`missing_triggers`): it asks when it connects and at every health check,
so a subscription can be refused at once on a database that would never push.

When the connection is lost (or stops answering the periodic health check),
`FlowChanges` reconnects with exponential backoff.  Every (re)connection
wakes every subscription once: changes made while nobody listened were never
delivered, so subscribers re-read.

A subscription coalesces bursts: once woken, it waits `coalesce_seconds`
more and then returns once for every change that arrived meanwhile.  A
change that arrives after that wakes it again, so the last change of a
burst is never lost, and a subscriber gets at most one wake-up per window.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from contextlib import suppress
from types import TracebackType
from typing import Self
from uuid import UUID

import asyncpg

from db.engine import database_url, plain_url
from db.settings import DatabaseSettings
from db.tenancy import Tenant
from db.triggers import missing_triggers

__all__ = ["FlowChanges", "FlowSubscription", "channel_name"]

log = logging.getLogger("flowgate.notifications")

_MAX_IDENTIFIER_BYTES = 63
_CONNECT_TIMEOUT_SECONDS = 5.0
_FIRST_LOOK_SECONDS = 1.0  # how long a subscriber waits for the listener to first look for the triggers
_HEALTH_CHECK_SECONDS = 10.0
_FIRST_RETRY_SECONDS = 0.25
_MAX_RETRY_SECONDS = 5.0

FlowKey = tuple[Tenant, UUID]
"""Whose flow changed: the tenant, then the master flow ID."""


def channel_name(schema: str) -> str:
    """The channel revision 0002's triggers notify for `schema`, cut to PostgreSQL's identifier limit.

    >>> channel_name("migration")
    'flowgate:migration'
    """
    return f"flowgate:{schema}"[:_MAX_IDENTIFIER_BYTES]


def _flow_key(payload: str) -> FlowKey:
    """The flow a notification names; raises ValueError when the payload is not one of ours."""
    try:
        change = json.loads(payload)
        tenant = Tenant(UUID(change["client_account_id"]), UUID(change["engagement_id"]))
        return tenant, UUID(change["flow_id"])
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"Not a flow change notification: {payload!r}.") from error


class FlowSubscription:
    """The changes of one tenant's flow, for one subscriber: iterate to wait for the next ones.

    Each step waits until the flow changes, then `coalesce_seconds` longer,
    and returns (None) once for all changes seen until then.  Use it as a
    context manager: leaving it stops the subscription.
    """

    def __init__(self, changes: FlowChanges, key: FlowKey) -> None:
        self.key = key
        self._changes = changes
        self._changed = asyncio.Event()

    def wake(self) -> None:
        self._changed.set()

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> None:
        await self._changed.wait()
        await asyncio.sleep(self._changes.coalesce_seconds)
        self._changed.clear()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self._changes.unsubscribe(self)


class FlowChanges:
    """The process's LISTEN connection for one schema, and the subscriptions it wakes.

    `start` returns at once, even while the database is down; `stop` closes
    the connection.  Subscriptions work before `start`: they wake once the
    listener connects.  `missing_triggers` is what the schema lacked when the
    listener last looked (empty until it has looked; see `lacks_triggers`).
    """

    def __init__(self, settings: DatabaseSettings, *, coalesce_seconds: float) -> None:
        self.channel = channel_name(settings.schema_name)
        self.coalesce_seconds = coalesce_seconds
        self._settings = settings
        self._subscriptions: defaultdict[FlowKey, set[FlowSubscription]] = defaultdict(set)
        self._task: asyncio.Task[None] | None = None
        self.missing_triggers: list[str] = []
        self._looked = asyncio.Event()

    def subscribe(self, tenant: Tenant, flow_id: UUID) -> FlowSubscription:
        """A subscription to the changes of `tenant`'s view of flow `flow_id` (whether or not it exists)."""
        subscription = FlowSubscription(self, (tenant, flow_id))
        self._subscriptions[subscription.key].add(subscription)
        return subscription

    async def lacks_triggers(self) -> bool:
        """Whether the schema lacked a trigger when the listener last looked.

        Before its first look this waits for it, up to `_FIRST_LOOK_SECONDS`,
        then answers False: with the database down, nobody knows yet.
        """
        with suppress(TimeoutError):
            async with asyncio.timeout(_FIRST_LOOK_SECONDS):
                await self._looked.wait()
        return bool(self.missing_triggers)

    def unsubscribe(self, subscription: FlowSubscription) -> None:
        """Stop waking `subscription` (leaving its `with` block does this)."""
        subscribers = self._subscriptions.get(subscription.key)
        if subscribers is not None:
            subscribers.discard(subscription)
            if not subscribers:
                del self._subscriptions[subscription.key]

    def start(self) -> None:
        if self._task is None:
            url = plain_url(self._settings.listen_url or database_url(self._settings))
            self._task = asyncio.create_task(self._listen_forever(url), name="flowgate-flow-changes")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _listen_forever(self, url: str) -> None:
        delay = _FIRST_RETRY_SECONDS
        while True:
            try:
                connection = await asyncpg.connect(
                    url,
                    timeout=_CONNECT_TIMEOUT_SECONDS,
                    server_settings={"application_name": f"flowgate-listener:{self._settings.schema_name}"},
                )
            except (OSError, TimeoutError, asyncpg.PostgresError) as error:
                log.warning("Cannot listen for flow changes (%s); retrying in %.2f s.", error, delay)
                await asyncio.sleep(delay)
                delay = min(2 * delay, _MAX_RETRY_SECONDS)
                continue
            delay = _FIRST_RETRY_SECONDS
            try:
                await self._listen(connection)
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                log.warning("The flow change listener's connection failed (%s); reconnecting.", error)
            else:
                log.warning("The flow change listener's connection closed; reconnecting.")
            finally:
                connection.terminate()

    async def _listen(self, connection: asyncpg.Connection) -> None:
        """Deliver notifications until `connection` closes; raises when it fails a health check."""
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _: lost.set())
        await connection.add_listener(self.channel, self._deliver)
        log.info("Listening for flow changes on channel %r.", self.channel)
        await self._look_for_triggers(connection)
        self._wake_all()
        while not lost.is_set():
            try:
                async with asyncio.timeout(_HEALTH_CHECK_SECONDS):
                    await lost.wait()
            except TimeoutError:
                await self._look_for_triggers(connection)  # the health check

    async def _look_for_triggers(self, connection: asyncpg.Connection) -> None:
        async with asyncio.timeout(_CONNECT_TIMEOUT_SECONDS):
            self.missing_triggers = await missing_triggers(connection, self._settings.schema_name)
        self._looked.set()

    def _deliver(self, connection: object, pid: int, channel: str, payload: str) -> None:
        try:
            key = _flow_key(payload)
        except ValueError:
            log.warning("Ignored a notification on %r that is not a flow change.", channel)
            return
        for subscription in self._subscriptions.get(key, ()):
            subscription.wake()

    def _wake_all(self) -> None:
        for subscribers in self._subscriptions.values():
            for subscription in subscribers:
                subscription.wake()
