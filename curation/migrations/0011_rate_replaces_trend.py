"""curation_rate: a listener's new rating replaces the trend contribution of their previous
one instead of adding to it (30 flips between 4 and 5 stars once added 54 to trending while
the rating count stayed 1). The star weights come from Python as an array, like every other
constant of the vote.
"""

import importlib

from django.db import migrations

RATE_FUNCTION = """
CREATE OR REPLACE FUNCTION curation_rate(
    p_listener bigint,
    p_user integer,
    p_track bigint,
    p_stars integer,
    p_listen_first double precision,
    p_listen_share double precision,
    p_listen_tolerance double precision,
    p_weights double precision[],
    p_trend_rate double precision,
    p_trend_epoch timestamptz,
    p_trend_empty double precision
) RETURNS TABLE (
    outcome text,
    listener_id bigint,
    listened_s double precision,
    required_s double precision,
    created boolean,
    rating_count integer,
    rating_sum integer,
    stars_1 integer,
    stars_2 integer,
    stars_3 integer,
    stars_4 integer,
    stars_5 integer,
    version integer
) LANGUAGE plpgsql AS $$
DECLARE
    v_listener bigint;
    v_status text;
    v_duration double precision;
    v_listened double precision;
    v_old integer;
    v_old_at timestamptz;
    v_old_term double precision;
    v_now timestamptz := clock_timestamp();  -- now() is fixed for a whole transaction
    v_term double precision;
BEGIN
    -- Who: a user's listener, or an anonymous one not adopted by an account.
    IF p_user IS NOT NULL THEN
        SELECT l.id INTO v_listener FROM curation_listener l WHERE l.user_id = p_user;
    ELSIF p_listener IS NOT NULL THEN
        SELECT l.id INTO v_listener FROM curation_listener l
        WHERE l.id = p_listener AND l.user_id IS NULL AND l.merged_into_id IS NULL;
    END IF;
    listener_id := v_listener;

    SELECT t.status, t.duration_s INTO v_status, v_duration
    FROM generation_track t WHERE t.id = p_track;
    IF v_status IS DISTINCT FROM 'ready' THEN
        outcome := 'unknown_track';
        RETURN NEXT;
        RETURN;
    END IF;
    -- curation.rules.listen_required_s: the shorter of 20 s and 30 percent (same float maths).
    required_s := CASE
        WHEN COALESCE(v_duration, 0) > 0 THEN LEAST(p_listen_first, p_listen_share * v_duration)
        ELSE p_listen_first END;

    -- The listening row is the per-listener, per-track lock that serialises one listener's
    -- concurrent votes; statements after it see what an earlier vote committed.
    IF v_listener IS NOT NULL THEN
        SELECT lt.listened_s INTO v_listened FROM curation_listenertrack lt
        WHERE lt.listener_id = v_listener AND lt.track_id = p_track FOR UPDATE;
    END IF;
    listened_s := COALESCE(v_listened, 0);
    IF v_listened IS NULL OR v_listened + p_listen_tolerance < required_s THEN
        outcome := 'listen_first';
        RETURN NEXT;
        RETURN;
    END IF;

    SELECT r.stars, r.updated_at INTO v_old, v_old_at FROM curation_rating r
    WHERE r.listener_id = v_listener AND r.track_id = p_track;
    created := v_old IS NULL;
    IF v_old IS NULL THEN
        INSERT INTO curation_rating (listener_id, track_id, stars, created_at, updated_at)
        VALUES (v_listener, p_track, p_stars, v_now, v_now);
    ELSIF v_old <> p_stars THEN
        UPDATE curation_rating SET stars = p_stars, updated_at = v_now
        WHERE curation_rating.listener_id = v_listener AND curation_rating.track_id = p_track;
    END IF;

    IF v_old IS DISTINCT FROM p_stars THEN
        -- curation.scoring.trend_term(weight, time): the new rating's term, and the term the
        -- listener's previous rating added when it was given, which it replaces.
        v_term := LN(p_weights[p_stars])
            + p_trend_rate * EXTRACT(EPOCH FROM v_now - p_trend_epoch);
        IF v_old IS NOT NULL THEN
            v_old_term := LN(p_weights[v_old])
                + p_trend_rate * EXTRACT(EPOCH FROM v_old_at - p_trend_epoch);
        END IF;
        INSERT INTO curation_trackstats (
            track_id, rating_count, rating_sum, stars_1, stars_2, stars_3, stars_4, stars_5,
            plays, unique_listeners, listen_seconds, completes, skips, replays, version,
            listen_through_sum, trend_log, updated_at
        ) VALUES (p_track, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, v_now)
        ON CONFLICT (track_id) DO NOTHING;
        UPDATE curation_trackstats s SET
            rating_count = s.rating_count + (v_old IS NULL)::int,
            rating_sum = s.rating_sum + p_stars - COALESCE(v_old, 0),
            stars_1 = s.stars_1 + (p_stars = 1)::int - (v_old IS NOT DISTINCT FROM 1)::int,
            stars_2 = s.stars_2 + (p_stars = 2)::int - (v_old IS NOT DISTINCT FROM 2)::int,
            stars_3 = s.stars_3 + (p_stars = 3)::int - (v_old IS NOT DISTINCT FROM 3)::int,
            stars_4 = s.stars_4 + (p_stars = 4)::int - (v_old IS NOT DISTINCT FROM 4)::int,
            stars_5 = s.stars_5 + (p_stars = 5)::int - (v_old IS NOT DISTINCT FROM 5)::int,
            version = s.version + 1,
            -- curation.scoring.trend_add(trend_sub(trend_log, old term), new term)
            trend_log = (
                SELECT GREATEST(t.base, v_term) + LN(1 + EXP(-LEAST(ABS(t.base - v_term), 700)))
                FROM (SELECT CASE
                    WHEN v_old_term IS NULL THEN s.trend_log
                    WHEN s.trend_log - v_old_term < 1e-9 THEN p_trend_empty
                    ELSE s.trend_log + LN(1 - EXP(v_old_term - s.trend_log))
                END AS base) t
            ),
            updated_at = v_now
        WHERE s.track_id = p_track
        RETURNING s.rating_count, s.rating_sum, s.stars_1, s.stars_2, s.stars_3, s.stars_4,
                  s.stars_5, s.version
        INTO rating_count, rating_sum, stars_1, stars_2, stars_3, stars_4, stars_5, version;
        outcome := 'changed';
    ELSE
        SELECT s.rating_count, s.rating_sum, s.stars_1, s.stars_2, s.stars_3, s.stars_4,
               s.stars_5, s.version
        INTO rating_count, rating_sum, stars_1, stars_2, stars_3, stars_4, stars_5, version
        FROM curation_trackstats s WHERE s.track_id = p_track;
        outcome := 'unchanged';
    END IF;
    RETURN NEXT;
END;
$$;
"""

OLD_SIGNATURE = (
    "bigint, integer, bigint, integer, double precision, double precision, double precision, "
    "double precision, double precision, timestamptz"
)
NEW_SIGNATURE = (
    "bigint, integer, bigint, integer, double precision, double precision, double precision, "
    "double precision[], double precision, timestamptz, double precision"
)
OLD_FUNCTION = importlib.import_module(
    "curation.migrations.0009_rate_function_parameters"
).RATE_FUNCTION


def create_function(apps, schema_editor):
    schema_editor.execute(f"DROP FUNCTION IF EXISTS curation_rate({OLD_SIGNATURE})")
    schema_editor.execute(RATE_FUNCTION)


def restore_function(apps, schema_editor):
    schema_editor.execute(f"DROP FUNCTION IF EXISTS curation_rate({NEW_SIGNATURE})")
    schema_editor.execute(OLD_FUNCTION)


class Migration(migrations.Migration):
    dependencies = [("curation", "0010_listening_windows")]

    operations = [migrations.RunPython(create_function, restore_function)]
