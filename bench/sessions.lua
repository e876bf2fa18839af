-- wrk script: each request carries the next of the Cookie headers listed in the file named
-- after `--` (one a line), so that the connections of a run are different signed-in sessions.
local cookies = {}
local next_one = 0

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then
      cookies[#cookies + 1] = line
    end
  end
end

function request()
  next_one = next_one % #cookies + 1
  return wrk.format(nil, nil, { Cookie = cookies[next_one] })
end
