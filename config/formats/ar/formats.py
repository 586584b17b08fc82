"""Arabic: Django gives a date but no date-and-time format, so that dates with a time fell back
to the American "m/d/Y P". Day before month, a 24-hour clock, as in Tunisia and Morocco; the
right-to-left marks keep the short date's order in a right-to-left line."""

DATE_FORMAT = "j F، Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F، Y، H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d\u200f/m\u200f/Y"
SHORT_DATETIME_FORMAT = "d\u200f/m\u200f/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
