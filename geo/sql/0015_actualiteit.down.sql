DROP VIEW laag_actualiteit;
DROP FUNCTION verificatie_maanden();
