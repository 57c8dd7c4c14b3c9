-- HTTP raters for bench/votes.py, run by Debian's wrk (a compiled load generator whose Lua is
-- LuaJIT):
--
--   wrk -t THREADS -c CONNECTIONS -d SECONDS -s bench/wrk_rate.lua URL -- PLAN OUT THREADS
--
-- PLAN is a file written by bench/wrk.py: the time to stop rating (as Python's time.time()),
-- the CSRF token, the track ids, then one signed listener cookie a line. Each thread takes
-- every THREADS-th listener and rates pairs (listener, track) that no other request rates,
-- so every accepted rating creates its own row of curation_rating and the bench can count
-- them in PostgreSQL. Once the stop time passes, no connection sends again (delay), so the
-- requests in flight get their answers before wrk stops and none is left unanswered.
--
-- Each accepted answer is logged to OUT-<thread>.txt as "time track version" (the delivery
-- figures match it to the listeners' events); done() prints one line "WRK_JSON {...}".

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *now);
]])
local clock = ffi.new("bench_timespec")

local function now()
  ffi.C.clock_gettime(0, clock) -- CLOCK_REALTIME, the clock of Python's time.time()
  return tonumber(clock.tv_sec) + tonumber(clock.tv_nsec) / 1e9
end

-- The main state: each thread gets its index, and is kept for done().
local threads = {}

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

-- The threads' own states from here to done().
local stop_at, csrf, tracks, cookies, log
local pair = 0
sent, answered, accepted, refused, late, codes = 0, 0, 0, 0, 0, ""
local refusals = {}

function init(args)
  local plan = io.open(args[1])
  stop_at = tonumber(plan:read("*l"))
  csrf = plan:read("*l")
  tracks = {}
  for track in plan:read("*l"):gmatch("%d+") do
    table.insert(tracks, track)
  end
  cookies = {}
  local line_number, step = 0, tonumber(args[3])
  for line in plan:lines() do
    if line_number % step == index then
      table.insert(cookies, line)
    end
    line_number = line_number + 1
  end
  plan:close()
  log = io.open(args[2] .. "-" .. index .. ".txt", "w")
end

function delay()
  if now() >= stop_at or pair >= #cookies * #tracks then
    return 3600 * 1000 -- done: wait out the run
  end
  return 0
end

function request()
  -- Listener l rates its j-th track: the next pair goes to the next listener, and the
  -- listeners start at different tracks, so the load spreads over the tracks.
  local l = pair % #cookies
  local j = math.floor(pair / #cookies)
  local track = tracks[(j + l) % #tracks + 1]
  pair = pair + 1
  sent = sent + 1
  if now() >= stop_at then
    late = late + 1 -- wrk asked for a request without asking delay() first
  end
  return wrk.format(
    "POST",
    "/api/v1/tracks/" .. track .. "/rating/",
    {
      ["Content-Type"] = "application/json",
      ["Cookie"] = "albumvote_listener=" .. cookies[l + 1] .. "; csrftoken=" .. csrf,
      ["X-CSRFToken"] = csrf,
    },
    '{"stars": ' .. (pair % 5 + 1) .. "}"
  )
end

function response(status, headers, body)
  answered = answered + 1
  if status < 300 then
    accepted = accepted + 1
    local track = body:match('"track":%s*(%d+)')
    local version = body:match('"version":%s*(%d+)')
    log:write(string.format("%.6f %s %s\n", now(), track, version))
  else
    refused = refused + 1
    local code = body:match('"code":%s*"([%w_]+)"') or tostring(status)
    refusals[code] = (refusals[code] or 0) + 1
    local parts = {}
    for name, count in pairs(refusals) do
      table.insert(parts, string.format('"%s": %d', name, count))
    end
    codes = table.concat(parts, ", ")
  end
  if answered % 256 == 0 then
    log:flush()
  end
end

function done(summary, latency, requests)
  local totals = { sent = 0, answered = 0, accepted = 0, refused = 0, late = 0 }
  local refusal_parts = {}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + thread:get(name)
    end
    local thread_codes = thread:get("codes")
    if thread_codes ~= "" then
      table.insert(refusal_parts, "{" .. thread_codes .. "}")
    end
  end
  local errors = summary.errors
  io.write(
    string.format(
      'WRK_JSON {"sent": %d, "answered": %d, "accepted": %d, "refused": %d, "late": %d, '
        .. '"refusals": [%s], "p50_us": %d, "p99_us": %d, "max_us": %d, '
        .. '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, '
        .. '"duration_us": %d}\n',
      totals.sent,
      totals.answered,
      totals.accepted,
      totals.refused,
      totals.late,
      table.concat(refusal_parts, ", "),
      latency:percentile(50),
      latency:percentile(99),
      latency.max,
      errors.connect,
      errors.read,
      errors.write,
      errors.timeout,
      summary.duration
    )
  )
end
