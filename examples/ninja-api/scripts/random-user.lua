-- wrk: GET /api/users/{random id}, ids FIRST..FIRST+USERS-1 (environment variables,
-- 1 and 1000 by default).
local first = tonumber(os.getenv("FIRST") or "1")
local users = tonumber(os.getenv("USERS") or "1000")
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/api/users/" .. math.random(first, first + users - 1))
end
