-- wrk script: submits the request form, each time as a browser would: GET /fi/request, then
-- POST it with the page's csrf_token and submission_key and the session cookie it set.
-- The connections of a thread share this script, so each form page read is queued as a
-- ready POST and the next request sent is that POST. A 303 is one submission made. Each
-- submission has a phone number of its own, as each family has.
local threads = {}
local path = "/fi/request"

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  ready = {}
end

local function encode(value)
  return (value:gsub("[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

function request()
  local post = table.remove(ready)
  if post then
    return wrk.format("POST", path, {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Cookie"] = post.cookie,
    }, post.body)
  end
  return wrk.format("GET", path)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status ~= 200 then
    return
  end
  local csrf = body:match('name="csrf_token"[^>]*value="([^"]*)"')
  local key = body:match('name="submission_key"[^>]*value="([^"]*)"')
  local cookie = headers["Set-Cookie"] or headers["set-cookie"]
  if csrf and key and cookie then
    table.insert(ready, {
      cookie = cookie:match("^([^;]*)"),
      body = "csrf_token=" .. encode(csrf) .. "&submission_key=" .. encode(key)
        .. "&phone=040" .. string.format("%07d", math.random(0, 9999999))
        .. "&topics=finances&description="
        .. encode("Rahat eivät riitä vuokraan. Toivoisin neuvoja talouden hoitoon."),
    })
  end
end

function done(summary, latency, requests)
  io.write(string.format("duration %d\n", summary.duration))
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
  end
  for status, count in pairs(total) do
    io.write(string.format("status %d %d\n", status, count))
  end
end
