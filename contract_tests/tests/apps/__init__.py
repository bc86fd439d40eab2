"""Small Connexion apps the contract runner is tested against, correct or with planted bugs."""
