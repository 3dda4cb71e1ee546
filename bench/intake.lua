-- Intake load for bench/intake.rs, run by wrk: every request files a new applicant,
-- unique across threads (thread number times 10^8 plus a counter), and the answers
-- are counted per thread and summed in done() as one line the harness reads.
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

local counter = 0
created, refused, confirmed = 0, 0, 0

local template = '{"first_name":"Bench%d","last_name":"Applicant","email":"bench%d@load.example",'
  .. '"phone":"(555) 010-0000","date_of_birth":"1980-01-01","city":"Harbor Point",'
  .. '"affiliation":{"kind":"resides"},"emergency_contact":{"name":"Kin","phone":"555 010 0001"},'
  .. '"waiver_accepted":true}'
local headers = { ["Content-Type"] = "application/json" }

function request()
  counter = counter + 1
  local n = id * 100000000 + counter
  return wrk.format("POST", nil, headers, string.format(template, n, n))
end

function response(status, _, body)
  if status == 201 then
    created = created + 1
    if string.find(body, '"status":"confirmed"', 1, true) then
      confirmed = confirmed + 1
    end
  else
    refused = refused + 1
  end
end

function done()
  local c, r, k = 0, 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    r = r + t:get("refused")
    k = k + t:get("confirmed")
  end
  io.write(string.format("intake created %d refused %d confirmed %d\n", c, r, k))
end
