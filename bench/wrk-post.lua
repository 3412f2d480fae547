-- wrk script for the API load test: wrk -t2 -c50 -d60s --latency -s bench/wrk-post.lua http://127.0.0.1:8000
-- (with "spinscope serve --workers 2" running on loopback). Lighter than bench/load.py as a generator.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local bodies = {
  '{"text": "Council approves budget\\n\\nThe council approved the budget on Monday after a short debate."}',
  '{"text": "A disgrace\\n\\nThis corrupt and cowardly government keeps lying to every one of us. Enough is enough!"}',
}
local i = 0
request = function()
  i = i + 1
  return wrk.format(nil, "/v1/analyze", nil, bodies[(i % 2) + 1])
end
