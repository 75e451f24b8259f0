-- POST /api/v1/reviews, each request with its own rate token. Loaded after bench/wrk_stats.lua.
-- Arguments: tokens file, number of wrk threads. Thread i takes the i-th contiguous block of the
-- file, so no token is ever sent twice; a thread that runs out sends "exhausted" (a 404, counted).
local CHANNELS = {"pc", "mobile", "miniprogram", "qrcode", "hall_pad", "hall_terminal", "sms"}
-- Level mix close to what the bureau sees: mostly 5s, about one in five bad.
local LEVELS = {5, 5, 5, 5, 5, 4, 4, 4, 3, 3, 2, 2, 1, 1}
local OPTIONS = {
  [5] = {"efficient", "friendly", "clear_guidance", "one_visit"},
  [4] = {"efficient", "friendly", "clear_guidance"},
  [3] = {"acceptable", "could_be_faster"},
  [2] = {"overdue", "repeated_visits", "bad_attitude", "shirking", "quality_problem", "unclear_guidance"},
  [1] = {"overdue", "repeated_visits", "bad_attitude", "shirking", "quality_problem",
         "unclear_guidance", "asked_for_favours"},
}
local TEXTS = {
  [5] = "窗口工作人员非常耐心，一次就办好了，点赞！",
  [4] = "办理速度挺快的，就是排队时间有点长。",
  [3] = "基本满意，材料清单可以再写清楚一些。",
  [2] = "跑了三趟才办完，每次说法都不一样，希望改进。",
  [1] = "工作人员态度很差，推诿扯皮，超过承诺时限还没办结。",
}
local HEADERS = {["Content-Type"] = "application/json"}

function init(args)
  stats_init()
  local nthreads = tonumber(args[2])
  local all = {}
  for line in io.lines(args[1]) do all[#all + 1] = line end
  local per = math.floor(#all / nthreads)
  tokens = {}
  for i = id * per + 1, (id + 1) * per do tokens[#tokens + 1] = all[i] end
  math.randomseed(1000 + id)
end

local function body_for(token)
  local level = LEVELS[math.random(#LEVELS)]
  local parts = {string.format('"rate_token":"%s","level":%d,"channel":"%s"',
                               token, level, CHANNELS[math.random(#CHANNELS)])}
  local choices, picked = OPTIONS[level], {}
  for _ = 1, math.random(0, 2) do picked['"' .. choices[math.random(#choices)] .. '"'] = true end
  local codes = {}
  for code in pairs(picked) do codes[#codes + 1] = code end
  if #codes > 0 then parts[#parts + 1] = '"options":[' .. table.concat(codes, ",") .. ']' end
  if level <= 2 or math.random(10) <= 3 then parts[#parts + 1] = '"text":"' .. TEXTS[level] .. '"' end
  return "{" .. table.concat(parts, ",") .. "}"
end

function request()
  sent = sent + 1
  local token = tokens[sent]
  if token == nil then
    exhausted = exhausted + 1
    token = "exhausted"
  end
  return wrk.format("POST", "/api/v1/reviews", HEADERS, body_for(token))
end
