"""Group commit (issue 13): curation_rate_many writes a group of votes in one statement and
updates each track's figures row once per group, not once per vote.

For each vote, in the order given, it does what curation_rate did (0017): who the listener
is, the listen gate, the listening row's lock, whether the vote counts (proven, not flagged),
the rating row. The figures of each track the group changed are then read once under lock,
every counted change of that track applied to them in the group's order (the same sums and
the same trend arithmetic as one vote at a time, so the result is the same to the bit), and
written with one UPDATE. Every vote is answered with its track's figures after the group.

curation_rate becomes a group of one: one home for the rule. Its arguments and columns are
those of 0015, so CREATE OR REPLACE does.
"""

import importlib

from django.db import migrations

FLAGGED = importlib.import_module("curation.migrations.0017_voter_flag")

RULES = (
    "p_listen_first double precision,\n"
    "    p_listen_share double precision,\n"
    "    p_listen_tolerance double precision,\n"
    "    p_weights double precision[],\n"
    "    p_trend_rate double precision,\n"
    "    p_trend_epoch timestamptz,\n"
    "    p_trend_empty double precision"
)
COLUMNS = """
    outcome text,
    listener_id bigint,
    listened_s double precision,
    required_s double precision,
    created boolean,
    counted boolean,
    rating_count integer,
    rating_sum integer,
    stars_1 integer,
    stars_2 integer,
    stars_3 integer,
    stars_4 integer,
    stars_5 integer,
    version integer"""

RATE_MANY = f"""
CREATE FUNCTION curation_rate_many(
    p_listeners bigint[],
    p_users integer[],
    p_tracks bigint[],
    p_stars integer[],
    {RULES}
) RETURNS TABLE (n integer, {COLUMNS}
) LANGUAGE plpgsql AS $$
DECLARE
    v_votes integer := COALESCE(array_length(p_tracks, 1), 0);
    i integer;
    v_track bigint;
    v_listener bigint;
    v_status text;
    v_duration double precision;
    v_listened double precision;
    v_counted boolean;
    v_old integer;
    v_old_at timestamptz;
    v_now timestamptz;
    -- Per vote: what it did (NULL: nothing yet), and a counted change's old stars and times.
    a_outcome text[] := array_fill(NULL::text, ARRAY[v_votes]);
    a_listener bigint[] := array_fill(NULL::bigint, ARRAY[v_votes]);
    a_listened double precision[] := array_fill(NULL::double precision, ARRAY[v_votes]);
    a_required double precision[] := array_fill(NULL::double precision, ARRAY[v_votes]);
    a_created boolean[] := array_fill(NULL::boolean, ARRAY[v_votes]);
    a_counted boolean[] := array_fill(NULL::boolean, ARRAY[v_votes]);
    a_old integer[] := array_fill(NULL::integer, ARRAY[v_votes]);
    a_old_at timestamptz[] := array_fill(NULL::timestamptz, ARRAY[v_votes]);
    a_at timestamptz[] := array_fill(NULL::timestamptz, ARRAY[v_votes]);
    -- One track's figures while its changes are applied.
    s curation_trackstats%ROWTYPE;
    v_term double precision;
    v_old_term double precision;
    v_base double precision;
BEGIN
    FOR i IN 1 .. v_votes LOOP
        v_track := p_tracks[i];
        v_listener := NULL;
        v_listened := NULL;
        -- Who: a user's listener, or an anonymous one not adopted by an account.
        IF p_users[i] IS NOT NULL THEN
            SELECT l.id INTO v_listener FROM curation_listener l WHERE l.user_id = p_users[i];
        ELSIF p_listeners[i] IS NOT NULL THEN
            SELECT l.id INTO v_listener FROM curation_listener l
            WHERE l.id = p_listeners[i] AND l.user_id IS NULL AND l.merged_into_id IS NULL;
        END IF;
        a_listener[i] := v_listener;

        SELECT t.status, t.duration_s INTO v_status, v_duration
        FROM generation_track t WHERE t.id = v_track;
        IF v_status IS DISTINCT FROM 'ready' THEN
            a_outcome[i] := 'unknown_track';
            CONTINUE;
        END IF;
        -- curation.rules.listen_required_s: the shorter of 20 s and 30 percent.
        a_required[i] := CASE
            WHEN COALESCE(v_duration, 0) > 0 THEN LEAST(p_listen_first, p_listen_share * v_duration)
            ELSE p_listen_first END;

        -- The listening row is the per-listener, per-track lock that serialises one
        -- listener's concurrent votes; statements after it see what an earlier vote committed.
        IF v_listener IS NOT NULL THEN
            SELECT lt.listened_s INTO v_listened FROM curation_listenertrack lt
            WHERE lt.listener_id = v_listener AND lt.track_id = v_track FOR UPDATE;
        END IF;
        a_listened[i] := COALESCE(v_listened, 0);
        IF v_listened IS NULL OR v_listened + p_listen_tolerance < a_required[i] THEN
            a_outcome[i] := 'listen_first';
            CONTINUE;
        END IF;

        -- Whether the vote counts: its listener proven and not flagged. If not yet proven,
        -- look again under a share lock, which waits for a proof in progress (it applies
        -- the listener's stored ratings): this rating is then either among them or counted
        -- here, never neither nor both. A proven listener's vote takes no lock here.
        SELECT {FLAGGED.FLAG_CHECK.replace(" INTO counted", "")} INTO v_counted
        FROM curation_listener l WHERE l.id = v_listener;
        IF NOT v_counted THEN
            SELECT {FLAGGED.FLAG_CHECK.replace(" INTO counted", "")} INTO v_counted
            FROM curation_listener l WHERE l.id = v_listener FOR SHARE;
        END IF;
        a_counted[i] := v_counted;

        v_now := clock_timestamp();  -- now() is fixed for a whole transaction
        SELECT r.stars, r.updated_at INTO v_old, v_old_at FROM curation_rating r
        WHERE r.listener_id = v_listener AND r.track_id = v_track;
        a_created[i] := v_old IS NULL;
        IF v_old IS NULL THEN
            INSERT INTO curation_rating (listener_id, track_id, stars, created_at, updated_at)
            VALUES (v_listener, v_track, p_stars[i], v_now, v_now);
        ELSIF v_old <> p_stars[i] THEN
            UPDATE curation_rating SET stars = p_stars[i], updated_at = v_now
            WHERE curation_rating.listener_id = v_listener
              AND curation_rating.track_id = v_track;
        END IF;
        -- A rating not yet counted is stored and no more: its old stars never entered the
        -- figures.
        IF v_counted AND v_old IS DISTINCT FROM p_stars[i] THEN
            a_outcome[i] := 'changed';
            a_old[i] := v_old;
            a_old_at[i] := v_old_at;
            a_at[i] := v_now;
        ELSE
            a_outcome[i] := 'unchanged';
        END IF;
    END LOOP;

    -- Each changed track's figures: read once under lock, every change applied in order,
    -- written once. Tracks in id order, so two groups take their rows in one order.
    FOR v_track IN
        SELECT DISTINCT t FROM unnest(p_tracks, a_outcome) AS u(t, o) WHERE o = 'changed'
        ORDER BY t
    LOOP
        INSERT INTO curation_trackstats (
            track_id, rating_count, rating_sum, stars_1, stars_2, stars_3, stars_4, stars_5,
            plays, unique_listeners, listen_seconds, completes, skips, replays, version,
            listen_through_sum, trend_log, updated_at
        ) VALUES (v_track, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, clock_timestamp())
        ON CONFLICT (track_id) DO NOTHING;
        SELECT * INTO s FROM curation_trackstats WHERE track_id = v_track FOR UPDATE;
        FOR i IN 1 .. v_votes LOOP
            CONTINUE WHEN p_tracks[i] <> v_track OR a_outcome[i] IS DISTINCT FROM 'changed';
            v_old := a_old[i];
            s.rating_count := s.rating_count + (v_old IS NULL)::int;
            s.rating_sum := s.rating_sum + p_stars[i] - COALESCE(v_old, 0);
            s.stars_1 := s.stars_1 + (p_stars[i] = 1)::int - (v_old IS NOT DISTINCT FROM 1)::int;
            s.stars_2 := s.stars_2 + (p_stars[i] = 2)::int - (v_old IS NOT DISTINCT FROM 2)::int;
            s.stars_3 := s.stars_3 + (p_stars[i] = 3)::int - (v_old IS NOT DISTINCT FROM 3)::int;
            s.stars_4 := s.stars_4 + (p_stars[i] = 4)::int - (v_old IS NOT DISTINCT FROM 4)::int;
            s.stars_5 := s.stars_5 + (p_stars[i] = 5)::int - (v_old IS NOT DISTINCT FROM 5)::int;
            s.version := s.version + 1;
            -- curation.scoring.trend_term(weight, time): the new rating's term, and the term
            -- the listener's previous rating added when it was given, which it replaces;
            -- then trend_add(trend_sub(trend_log, old term), new term).
            v_term := LN(p_weights[p_stars[i]])
                + p_trend_rate * EXTRACT(EPOCH FROM a_at[i] - p_trend_epoch);
            v_old_term := NULL;
            IF v_old IS NOT NULL THEN
                v_old_term := LN(p_weights[v_old])
                    + p_trend_rate * EXTRACT(EPOCH FROM a_old_at[i] - p_trend_epoch);
            END IF;
            v_base := CASE
                WHEN v_old_term IS NULL THEN s.trend_log
                WHEN s.trend_log - v_old_term < 1e-9 THEN p_trend_empty
                ELSE s.trend_log + LN(1 - EXP(v_old_term - s.trend_log))
            END;
            s.trend_log := GREATEST(v_base, v_term)
                + LN(1 + EXP(-LEAST(ABS(v_base - v_term), 700)));
            s.updated_at := a_at[i];
        END LOOP;
        UPDATE curation_trackstats t SET
            rating_count = s.rating_count, rating_sum = s.rating_sum,
            stars_1 = s.stars_1, stars_2 = s.stars_2, stars_3 = s.stars_3,
            stars_4 = s.stars_4, stars_5 = s.stars_5, version = s.version,
            trend_log = s.trend_log, updated_at = s.updated_at
        WHERE t.track_id = v_track;
    END LOOP;

    -- Every vote answered, with its track's figures after the group (none for a refusal).
    RETURN QUERY
    SELECT u.n::integer, u.o, u.l, u.heard, u.needed, u.made, u.counts,
           st.rating_count, st.rating_sum, st.stars_1, st.stars_2, st.stars_3, st.stars_4,
           st.stars_5, st.version
    FROM unnest(a_outcome, a_listener, a_listened, a_required, a_created, a_counted, p_tracks)
         WITH ORDINALITY AS u(o, l, heard, needed, made, counts, t, n)
    LEFT JOIN curation_trackstats st
           ON st.track_id = u.t AND u.o IN ('changed', 'unchanged')
    ORDER BY u.n;
END;
$$;
"""

RATE_ONE = f"""
CREATE OR REPLACE FUNCTION curation_rate(
    p_listener bigint,
    p_user integer,
    p_track bigint,
    p_stars integer,
    {RULES}
) RETURNS TABLE ({COLUMNS}
) LANGUAGE sql AS $$
    SELECT r.outcome, r.listener_id, r.listened_s, r.required_s, r.created, r.counted,
           r.rating_count, r.rating_sum, r.stars_1, r.stars_2, r.stars_3, r.stars_4,
           r.stars_5, r.version
    FROM curation_rate_many(
        ARRAY[p_listener], ARRAY[p_user], ARRAY[p_track], ARRAY[p_stars],
        p_listen_first, p_listen_share, p_listen_tolerance, p_weights, p_trend_rate,
        p_trend_epoch, p_trend_empty
    ) r;
$$;
"""

DROP_MANY = (
    "DROP FUNCTION curation_rate_many(bigint[], integer[], bigint[], integer[], "
    f"{FLAGGED.PROVEN.SIGNATURE.split(', ', 4)[4]})"
)


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0020_preference_sources"),
    ]

    operations = [
        migrations.RunSQL(RATE_MANY, DROP_MANY),
        migrations.RunSQL(RATE_ONE, FLAGGED.RATE_FUNCTION),
    ]
