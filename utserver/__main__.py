from utserver.cli import main

raise SystemExit(main())
