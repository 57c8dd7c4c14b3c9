"""curation_rate_many (0021) writes a group's figures rows with one statement, not one per track.

Measured (bench/group_costs.py; docs/curation.md): each statement that writes a figures row
sets up its generated columns (crowd score, mean, controversy, listen-through, skip rate) again,
about 200 us of PostgreSQL's CPU, and 0021 ran two such statements per track of a group (an
INSERT ... ON CONFLICT DO NOTHING that opened a missing row, even when it was there, and the
UPDATE), some 580 us a track. Now:
- missing rows are opened by one INSERT that inserts nothing when every row is there (the
  generated columns are set up only for a row it writes);
- the rows are locked in track order by one SELECT ... FOR UPDATE, each track's changes applied
  in the group's order (the same arithmetic, so the same figures to the bit), walking the votes
  sorted by track once instead of every vote for every track;
- and written by one UPDATE ... FROM unnest(...);
- its statements' plans are made once per session, not once per call.
Only the part after the votes' loop and the function's settings change; the rest is 0021's
text.
"""

import importlib

from django.db import migrations

GROUP = importlib.import_module("curation.migrations.0021_rate_many")

BEFORE, REST = GROUP.RATE_MANY.split("    -- Each changed track's figures:", 1)
OLD_STATS, AFTER = REST.split("    -- Every vote answered,", 1)
OLD_STATS = "    -- Each changed track's figures:" + OLD_STATS
AFTER = "    -- Every vote answered," + AFTER

DECLARED = "    s curation_trackstats%ROWTYPE;\n"
assert BEFORE.count(DECLARED) == 1
NEW_DECLARED = DECLARED + (
    "    j integer := 1;\n"
    "    v_order integer[];\n"
    "    v_changed bigint[];\n"
    "    -- Per changed track, in track order: its figures after the group.\n"
    "    u_track bigint[] := '{}';\n"
    "    u_count integer[] := '{}';\n"
    "    u_sum integer[] := '{}';\n"
    "    u_1 integer[] := '{}';\n"
    "    u_2 integer[] := '{}';\n"
    "    u_3 integer[] := '{}';\n"
    "    u_4 integer[] := '{}';\n"
    "    u_5 integer[] := '{}';\n"
    "    u_version integer[] := '{}';\n"
    "    u_trend double precision[] := '{}';\n"
    "    u_at timestamptz[] := '{}';\n"
)

# The arithmetic of one counted change, as 0021 applies it (from `v_old := a_old[i];` to the
# line that stamps the row), kept word for word.
APPLY_START = "            v_old := a_old[i];\n"
APPLY_END = "            s.updated_at := a_at[i];\n"
assert OLD_STATS.count(APPLY_START) == 1 and OLD_STATS.count(APPLY_END) == 1
APPLY = APPLY_START + OLD_STATS.split(APPLY_START, 1)[1].split(APPLY_END, 1)[0] + APPLY_END
APPLY = APPLY.replace("\n            ", "\n                ").replace(
    "            v_old :=", "                v_old :=", 1
)

NEW_STATS = f"""    -- The counted changes, sorted by track and then by their order in the group.
    v_order := ARRAY(
        SELECT u.n::integer FROM unnest(p_tracks, a_outcome) WITH ORDINALITY AS u(t, o, n)
        WHERE u.o = 'changed' ORDER BY u.t, u.n
    );
    v_changed := ARRAY(SELECT DISTINCT p_tracks[k] FROM unnest(v_order) AS k ORDER BY 1);
    IF cardinality(v_changed) > 0 THEN
        -- A track's first counted rating opens its figures row; one statement for them all,
        -- which writes nothing (and sets up nothing) when every row is there.
        INSERT INTO curation_trackstats (
            track_id, rating_count, rating_sum, stars_1, stars_2, stars_3, stars_4, stars_5,
            plays, unique_listeners, listen_seconds, completes, skips, replays, version,
            listen_through_sum, trend_log, updated_at
        )
        SELECT c.t, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, clock_timestamp()
        FROM unnest(v_changed) AS c(t)
        WHERE NOT EXISTS (SELECT 1 FROM curation_trackstats x WHERE x.track_id = c.t)
        ON CONFLICT (track_id) DO NOTHING;
        -- Locked in track order, so two groups take their rows in one order; each track's
        -- changes applied in the group's order.
        FOR s IN
            SELECT * FROM curation_trackstats WHERE track_id = ANY (v_changed)
            ORDER BY track_id FOR UPDATE
        LOOP
            -- (A track whose row went meanwhile, deleted with the track, is passed over.)
            WHILE j <= cardinality(v_order) AND p_tracks[v_order[j]] < s.track_id LOOP
                j := j + 1;
            END LOOP;
            WHILE j <= cardinality(v_order) AND p_tracks[v_order[j]] = s.track_id LOOP
                i := v_order[j];
                j := j + 1;
{APPLY}            END LOOP;
            u_track := u_track || s.track_id;
            u_count := u_count || s.rating_count;
            u_sum := u_sum || s.rating_sum;
            u_1 := u_1 || s.stars_1;
            u_2 := u_2 || s.stars_2;
            u_3 := u_3 || s.stars_3;
            u_4 := u_4 || s.stars_4;
            u_5 := u_5 || s.stars_5;
            u_version := u_version || s.version;
            u_trend := u_trend || s.trend_log;
            u_at := u_at || s.updated_at;
        END LOOP;
        UPDATE curation_trackstats t SET
            rating_count = u.c, rating_sum = u.total,
            stars_1 = u.s1, stars_2 = u.s2, stars_3 = u.s3, stars_4 = u.s4, stars_5 = u.s5,
            version = u.v, trend_log = u.trend, updated_at = u.at
        FROM unnest(u_track, u_count, u_sum, u_1, u_2, u_3, u_4, u_5, u_version, u_trend, u_at)
             AS u(track, c, total, s1, s2, s3, s4, s5, v, trend, at)
        WHERE t.track_id = u.track;
    END IF;
"""

# Its statements are planned once for all calls (generic plans). Left to choose, PostgreSQL
# planned them again on every call (a plan made for the arrays at hand looks cheaper than
# one for any arrays): a group of one took 1.26 ms a call instead of 0.97 (pgbench,
# synchronous_commit off; 0021's function 1.07 and 0.95).
LANGUAGE = ") LANGUAGE plpgsql AS $$"
assert BEFORE.count(LANGUAGE) == 1
RATE_MANY = (
    BEFORE.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
    .replace(DECLARED, NEW_DECLARED)
    .replace(LANGUAGE, ") LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$")
    + NEW_STATS
    + AFTER
)
OLD_RATE_MANY = GROUP.RATE_MANY.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0021_rate_many"),
    ]

    operations = [
        migrations.RunSQL(RATE_MANY, OLD_RATE_MANY),
    ]
