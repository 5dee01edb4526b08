"""Install stand-ins for modules of other branches while they are missing."""

from tests.unit.social.tally import _standins

_standins.install()
