-- Cache leases: an instance may answer from its cache of authenticated
-- tokens without reading change_version, while it holds a lease here and
-- listens for the notification every change_version bump now sends. A
-- writer, once committed, waits until every live lease has acknowledged
-- its version (acked) or has run out; see the store's lease.go and acks.go.
-- Leases are no data: they have no change trigger and are never copied.

-- +goose Up

-- latch_channel is the channel of this schema's notifications (LISTEN and
-- NOTIFY are per database, and several schemas may share one).
-- +goose StatementBegin
CREATE FUNCTION latch_channel() RETURNS text
LANGUAGE sql STABLE SET search_path FROM CURRENT AS $$
    SELECT 'latch ' || left(md5(current_schema()), 24)
$$;
-- +goose StatementEnd

-- Every bump, by a latch write or by the statement triggers that catch
-- anyone else's, tells the listeners its version ('c <version>'), at
-- commit, in commit order.
-- +goose StatementBegin
CREATE FUNCTION notify_change() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM pg_notify(latch_channel(), 'c ' || NEW.version);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER change_version_notify AFTER UPDATE ON change_version
    FOR EACH ROW EXECUTE FUNCTION notify_change();

CREATE TABLE cache_leases (
    instance   TEXT COLLATE "C" PRIMARY KEY,
    expires_at TIMESTAMPTZ NOT NULL,
    acked      BIGINT      NOT NULL -- every version up to this one is out of its cache
);
