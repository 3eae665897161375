"""Tasks: the pages, the permissions and the services that change them."""
