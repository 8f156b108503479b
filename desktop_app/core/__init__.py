"""Plain data types, typed errors, the action table and every sentence the user hears; shared
by every layer (standard library only). Import the module you need: `core.types`, `core.errors`,
`core.actions`, `core.messages`."""
