from tracecard.cli import main

raise SystemExit(main())
