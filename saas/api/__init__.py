"""The JSON API's tokens: partners' own systems read and write through the same services."""
