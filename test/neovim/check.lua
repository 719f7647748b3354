-- Driven by neovim.test.ts after the README's Neovim 0.7 configuration: what a user does in a
-- first session, through Neovim's own client. Results go to $NETSPEC_NVIM_RESULT as JSON; the test
-- asserts on them.
local out = { steps = {} }
local messages = {}
local function step(name) table.insert(out.steps, name) end

vim.lsp.handlers['window/showMessage'] = function(_, result) table.insert(messages, result.message) end
-- A lens line with several lenses asks which to run; the user picks Train.
vim.ui.select = function(items, opts, on_choice)
  for i, item in ipairs(items) do
    local title = item.command and item.command.title or (opts.format_item and opts.format_item(item)) or tostring(item)
    if title == 'Train' then return on_choice(item, i) end
  end
  on_choice(nil, nil)
end

local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(os.getenv('NETSPEC_NVIM_FILE')))
  local buf = vim.api.nvim_get_current_buf()
  out.filetype = vim.bo[buf].filetype
  assert(vim.wait(15000, function() return next(vim.lsp.buf_get_clients(buf)) ~= nil end, 50), 'no language client attached')
  local _, client = next(vim.lsp.buf_get_clients(buf))
  step('attached')

  -- An edit: a misspelt activation is diagnosed, with the suggestion.
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local dense
  for i, l in ipairs(lines) do if l:match('dense%s+h%[4%] tanh') then dense = i - 1 end end
  assert(dense, 'the dense h line')
  vim.api.nvim_buf_set_lines(buf, dense, dense + 1, false, { (lines[dense + 1]:gsub('tanh', 'tahn')) })
  assert(vim.wait(10000, function() return #vim.diagnostic.get(buf, { severity = vim.diagnostic.severity.ERROR }) > 0 end, 50), 'no diagnostic after the edit')
  local d = vim.diagnostic.get(buf, { severity = vim.diagnostic.severity.ERROR })[1]
  out.diagnostic = { message = d.message, lnum = d.lnum, col = d.col, end_col = d.end_col }
  step('diagnosed')

  -- The quick fix, applied as vim.lsp.buf.code_action() would.
  local params = { textDocument = vim.lsp.util.make_text_document_params(buf),
    range = { start = { line = d.lnum, character = d.col }, ['end'] = { line = d.lnum, character = d.end_col } },
    context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(buf, d.lnum) } }
  local actions = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', params, 10000)
  local fix
  for _, r in pairs(actions or {}) do for _, a in ipairs(r.result or {}) do if a.edit and not fix then fix = a end end end
  assert(fix, 'no quick fix offered')
  out.fix_title = fix.title
  vim.lsp.util.apply_workspace_edit(fix.edit, client.offset_encoding)
  out.fixed_line = vim.api.nvim_buf_get_lines(buf, dense, dense + 1, false)[1]
  assert(vim.wait(10000, function() return #vim.diagnostic.get(buf, { severity = vim.diagnostic.severity.ERROR }) == 0 end, 50), 'the error stayed after the fix')
  step('fixed')

  -- A hover on sigmoid, as K shows it.
  for i, l in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local c = l:find('sigmoid')
    if c and l:match('dense') then vim.api.nvim_win_set_cursor(0, { i, c }) break end
  end
  local hover = vim.lsp.buf_request_sync(buf, 'textDocument/hover', vim.lsp.util.make_position_params(), 10000)
  for _, r in pairs(hover or {}) do if r.result then out.hover = r.result.contents.value end end
  step('hovered')

  -- The Train lens, run as <leader>l (vim.lsp.codelens.run) runs it.
  vim.lsp.codelens.refresh()
  local train_line
  assert(vim.wait(10000, function()
    for _, lens in ipairs(vim.lsp.codelens.get(buf)) do
      if lens.command and lens.command.title == 'Train' then train_line = lens.range.start.line end
    end
    return train_line ~= nil
  end, 50), 'no Train lens')
  out.lenses = {}
  for _, lens in ipairs(vim.lsp.codelens.get(buf)) do table.insert(out.lenses, lens.command and lens.command.title or '?') end
  vim.api.nvim_win_set_cursor(0, { train_line + 1, 0 })
  vim.lsp.codelens.run()
  assert(vim.wait(60000, function()
    for _, m in ipairs(messages) do if m:match('^Trained ') then return true end end
    return false
  end, 100), 'the run did not end')
  step('trained')

  -- A clean exit: the server stops when asked.
  vim.lsp.stop_client(client.id)
  out.stopped = vim.wait(10000, function() return vim.lsp.client_is_stopped(client.id) end, 50)
  step('stopped')
end)

out.ok = ok
if not ok then out.error = tostring(err) end
out.messages = messages
local f = assert(io.open(os.getenv('NETSPEC_NVIM_RESULT'), 'w'))
f:write(vim.fn.json_encode(out))
f:close()
vim.cmd('qa!')
