"""The knowledge files Pushback ships (copy, reminder plan, triage cues, replies and model), installed as the
package `bot.data` and read through `bot.datafiles`."""
